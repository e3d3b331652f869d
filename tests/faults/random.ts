// The random choices of a fault scenario (hold times, whom to kill) come from a seed printed with its
// figures, so a failing run's choices can be replayed with FAULTS_SEED=<seed>. Timing still varies.

export function faultSeed(): number {
  const raw = process.env.FAULTS_SEED;
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FAULTS_SEED must be an integer, got "${raw}"`);
  return seed;
}

/** mulberry32: a tiny, well-spread 32-bit generator; returns numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A positive integer knob from the environment (e.g. FAULTS_KILLS), else its default. */
export function faultKnob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}
