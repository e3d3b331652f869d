// Seeded randomness and hostile argument values for the MCP fuzz. Everything is drawn from one PRNG,
// so a seed replays the same calls.

/** mulberry32: small, fast, good enough to spread calls; not for anything secret. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, int, pick, chance: (p: number): boolean => next() < p };
}
export type Rng = ReturnType<typeof prng>;

export function seedFromEnv(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isSafeInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got "${raw}"`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

const MB = 1024 * 1024;

/** Nested arrays/objects `depth` deep around a leaf. */
export function deep(depth: number, leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

/** An object whose own keys are the names JavaScript treats specially (JSON.parse keeps them as own keys). */
export const protoKeys = (): unknown =>
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":1}');

/** Values for any argument: wrong types, edge numbers, odd strings, odd shapes. Sizes stay bounded. */
export function hostileValue(r: Rng, ids: { real: () => string | undefined }): unknown {
  const choices: (() => unknown)[] = [
    () => null,
    () => true,
    () => false,
    () => [],
    () => [1, 'a', null],
    () => ({}),
    () => ({ nested: { a: [1, { b: 2 }] } }),
    () => '',
    () => ' ',
    () => r.pick(['NaN', 'Infinity', '-Infinity', '1e308', '-1', '0x1f', 'null', 'undefined', 'true']),
    () => r.pick([1e308, -1e308, -1, -0, 0, 1.5, 2 ** 53 + 2, Number.MIN_VALUE, -2147483649]),
    () => r.pick(['\ud800', 'a\udc00b', '\udfff\ud800', 'x\u0000y', '\u0000']),
    () => r.pick(['é🙂中文', '\u202eevil', 'Ω≈ç√∫', '👩‍👩‍👧‍👦'.repeat(50), 'ａｂｃ', '\t\n\r']),
    () => 'x'.repeat(r.int(1_000, 300_000)),
    () => deep(r.int(50, 3_000)),
    protoKeys,
    () => ({ toString: 'x', valueOf: 1, hasOwnProperty: 2 }),
    () =>
      r.pick([
        '00000000-0000-0000-0000-000000000000',
        'not-a-uuid',
        '0190a7e4-zzzz-7000-8000-000000000000',
        'a'.repeat(r.int(65, 20_000)),
        "'; drop table agent_jobs; --",
        '%s%n%x',
      ]),
    () => ids.real()?.toUpperCase() ?? 'ABC',
    () =>
      r.pick([
        '2024-13-45T99:99:99Z',
        '2024-01-01',
        new Date(8.64e15).toISOString(),
        '+275760-09-13T00:00:00Z',
      ]),
    () => r.pick(['drain', 'quiesce', 'DRAIN', 'queued', 'dead_letter', 'all']),
  ];
  return r.pick(choices)();
}

/** Names for fields a tool does not have. */
export function unknownField(r: Rng): string {
  return r.pick([
    '__proto__',
    'constructor',
    'prototype',
    'extra',
    'jobID',
    'é🙂',
    '',
    'a'.repeat(r.int(100, 5_000)),
  ]);
}

/** The rare 5 MB key: both its parse and its echo in an error message are worth a look. */
export const hugeKey = (): string => 'k'.repeat(5 * MB);
