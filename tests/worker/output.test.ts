// Output on its way out: redaction of the worker's secrets, line splitting and cutting, tails, and
// the per-job batcher (flush at 50 lines or after the interval, token-bucket rate limit with a note).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnChild } from '../../src/worker/child.js';
import {
  LineSplitter,
  LogBatcher,
  MAX_LINE_CHARS,
  REDACTED,
  Tail,
  createRedactor,
  secretValues,
  type Stream,
} from '../../src/worker/output.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/worker/', import.meta.url));

describe('createRedactor', () => {
  const env = {
    DATABASE_URL: 'postgres://app:s3cr%40t-pw@db.example:5432/queue',
    REDIS_URL: 'redis://:hunter2pw@cache:6379/0',
    GITHUB_TOKEN: 'ghp_abcdefghijklmnop',
    OPENAI_API_KEY: 'sk-proj-1234567890',
    MY_SECRET: 'tiny', // shorter than 6: not treated as a secret
    DB_PASSWORD: 'correct horse',
    HOME: '/home/worker',
    USER: 'worker',
    EMPTY_TOKEN: '',
    PLAIN_URL: 'https://example.com/path',
  };
  const redact = createRedactor(env);

  it('hides the password of DATABASE_URL (raw and decoded) and of any URL', () => {
    const text = `connecting to ${env.DATABASE_URL}; password s3cr@t-pw; redis ${env.REDIS_URL}`;
    const out = redact(text);
    expect(out).not.toContain('s3cr');
    expect(out).not.toContain('hunter2pw');
    expect(out).toBe(
      `connecting to postgres://app:${REDACTED}@db.example:5432/queue; password ${REDACTED}; redis redis://:${REDACTED}@cache:6379/0`,
    );
  });

  it('hides the values of secret-named variables (TOKEN, API_KEY, PASSWORD…)', () => {
    const out = redact(
      `token=${env.GITHUB_TOKEN} key=${env.OPENAI_API_KEY} pw="${env.DB_PASSWORD}" twice ${env.GITHUB_TOKEN}`,
    );
    expect(out).toBe(`token=${REDACTED} key=${REDACTED} pw="${REDACTED}" twice ${REDACTED}`);
  });

  it('leaves short values, ordinary variables and URLs without a password alone', () => {
    const text = 'tiny /home/worker worker https://example.com/path';
    expect(redact(text)).toBe(text);
    expect(secretValues(env)).not.toContain('tiny');
    expect(secretValues(env)).not.toContain('');
  });

  it('a secret with regex characters is matched literally', () => {
    const r = createRedactor({ API_TOKEN: 'a.b*c+(d)' });
    expect(r('x a.b*c+(d) y aXbbbc+(d)')).toBe(`x ${REDACTED} y aXbbbc+(d)`);
  });

  it('without secrets text passes unchanged', () => {
    expect(createRedactor({ PATH: '/usr/bin' })('anything /usr/bin')).toBe('anything /usr/bin');
  });
});

describe('LineSplitter and Tail', () => {
  it('splits across chunks, drops \\r before \\n, keeps a last line without newline', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('a\r\nb');
    s.push('c\n\n');
    s.push('tail');
    s.end();
    expect(lines).toEqual(['a', 'bc', '', 'tail']);
    expect(s.last).toBe('tail');
  });

  it('cuts a line longer than MAX_LINE_CHARS with "…" but keeps the last line whole', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const long = 'q'.repeat(MAX_LINE_CHARS * 3);
    s.push(long.slice(0, 3000));
    s.push(`${long.slice(3000)}\n`);
    expect(lines).toEqual([`${'q'.repeat(MAX_LINE_CHARS)}…`]);
    expect(s.last).toBe(long);
    const short = 'r'.repeat(MAX_LINE_CHARS);
    s.push(`${short}\n`);
    expect(lines[1]).toBe(short);
  });

  it('the last line is bounded by keepChars', () => {
    const s = new LineSplitter(() => {}, 10);
    s.push(`${'x'.repeat(50)}\n`);
    expect(s.last).toBe('x'.repeat(10));
  });

  it('Tail keeps the last chars, from a line start when one is near', () => {
    const t = new Tail(100);
    for (let i = 0; i < 1000; i++) t.push(`line ${i}\n`);
    const text = t.text();
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text.startsWith('line ')).toBe(true);
    expect(text.endsWith('line 999\n')).toBe(true);
    const short = new Tail(100);
    short.push('abc\ndef');
    expect(short.text()).toBe('abc\ndef');
  });
});

type Written = { stream: Stream; lines: string[] };

function recorder() {
  const written: Written[] = [];
  let notify: (() => void) | null = null;
  return {
    written,
    write: async (stream: Stream, lines: string[]) => {
      written.push({ stream, lines });
      notify?.();
    },
    /** Resolves once `n` batches were written. */
    batches(n: number): Promise<void> {
      if (written.length >= n) return Promise.resolve();
      return new Promise((resolve) => {
        notify = () => {
          if (written.length >= n) resolve();
        };
      });
    },
  };
}

describe('LogBatcher', () => {
  it('writes a batch as soon as it has 50 lines, per stream, in order', async () => {
    const rec = recorder();
    const b = new LogBatcher({ write: rec.write, flushMs: 60_000 });
    for (let i = 0; i < 120; i++) b.add('stdout', `o${i}`);
    b.add('stderr', 'e0');
    await rec.batches(2);
    expect(rec.written.map((w) => [w.stream, w.lines.length])).toEqual([
      ['stdout', 50],
      ['stdout', 50],
    ]);
    await b.close();
    expect(rec.written.map((w) => [w.stream, w.lines.length])).toEqual([
      ['stdout', 50],
      ['stdout', 50],
      ['stdout', 20],
      ['stderr', 1],
    ]);
    expect(rec.written.flatMap((w) => (w.stream === 'stdout' ? w.lines : []))).toEqual(
      Array.from({ length: 120 }, (_, i) => `o${i}`),
    );
    b.add('stdout', 'after close');
    await b.flush();
    expect(rec.written).toHaveLength(4);
  });

  it('a partial batch is written after the flush interval without any call', async () => {
    const rec = recorder();
    const b = new LogBatcher({ write: rec.write, flushMs: 50 });
    const t0 = performance.now();
    b.add('stderr', 'one');
    b.add('stderr', 'two');
    await rec.batches(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    expect(rec.written).toEqual([{ stream: 'stderr', lines: ['one', 'two'] }]);
    await b.close();
  });

  it('cuts long lines it is given', async () => {
    const rec = recorder();
    const b = new LogBatcher({ write: rec.write });
    b.add('stdout', 'w'.repeat(MAX_LINE_CHARS + 1));
    await b.close();
    expect(rec.written[0]!.lines).toEqual([`${'w'.repeat(MAX_LINE_CHARS)}…`]);
  });

  it('rate limit: a burst of 200, then 20 lines/s; the dropped are counted once per flush', async () => {
    let now = 0;
    const rec = recorder();
    const b = new LogBatcher({ write: rec.write, now: () => now, flushMs: 60_000, maxBatch: 1_000 });
    for (let i = 0; i < 500; i++) b.add('stdout', `a${i}`);
    expect(b.dropped).toBe(300);
    await b.flush();
    expect(rec.written).toHaveLength(1);
    expect(rec.written[0]!.lines).toHaveLength(201);
    expect(rec.written[0]!.lines.at(-2)).toBe('a199');
    expect(rec.written[0]!.lines.at(-1)).toBe('[agent-queue: 300 lines not recorded]');
    expect(b.dropped).toBe(0);

    now += 1_000; // one second refills 20 tokens
    for (let i = 0; i < 30; i++) b.add('stdout', `b${i}`);
    b.add('stderr', 'err');
    await b.flush();
    expect(rec.written.slice(1)).toEqual([
      {
        stream: 'stdout',
        lines: [...Array.from({ length: 20 }, (_, i) => `b${i}`), '[agent-queue: 10 lines not recorded]'],
      },
      { stream: 'stderr', lines: ['[agent-queue: 1 lines not recorded]'] },
    ]);
    await b.close();
  });

  it('a failing write does not stop later writes', async () => {
    const seen: string[][] = [];
    let first = true;
    const b = new LogBatcher({
      write: async (_s, lines) => {
        seen.push(lines);
        if (first) {
          first = false;
          throw new Error('store down');
        }
      },
    });
    b.add('stdout', 'x');
    await b.flush();
    b.add('stdout', 'y');
    await b.close();
    expect(seen).toEqual([['x'], ['y']]);
  });

  it('a real chatty child: 1,000 lines at once are cut down to the burst and reported', async () => {
    const rec = recorder();
    const b = new LogBatcher({ write: rec.write });
    const child = spawnChild({
      argv: [join(FIXTURES, 'noisy.mjs'), '1000'],
      env: { PATH: process.env.PATH ?? '' },
      stdin: '',
      onLine: (stream, line) => b.add(stream, line),
    });
    const exit = await child.exited;
    expect(exit.exitCode).toBe(0);
    await b.close();
    const lines = rec.written.flatMap((w) => w.lines);
    const notes = lines.filter((l) => l.startsWith('[agent-queue:'));
    const recorded = lines.length - notes.length;
    const dropped = notes.reduce((n, l) => n + Number(/(\d+) lines not recorded/.exec(l)![1]), 0);
    expect(recorded + dropped).toBe(1000);
    expect(recorded).toBeGreaterThanOrEqual(200);
    expect(recorded).toBeLessThan(300); // the child prints far faster than 20 lines/s
    expect(lines[0]).toBe('line 1');
    expect(rec.written.every((w) => w.lines.length <= 51)).toBe(true);
  });
});

describe('redaction before the cut', () => {
  const secret = 'tok_0123456789abcdefghij';
  const redact = createRedactor({ SERVICE_TOKEN: secret });

  it('a secret across the line cut is hidden whole, not partly shown', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), undefined, redact);
    const line = `${'a'.repeat(MAX_LINE_CHARS - 5)}${secret}${'b'.repeat(100)}`;
    s.push(`${line}\n`);
    expect(lines[0]).toBe(`${'a'.repeat(MAX_LINE_CHARS - 5)}[reda…`);
    expect(lines[0]).not.toContain(secret.slice(0, 5));
    expect(s.last).toBe(`${'a'.repeat(MAX_LINE_CHARS - 5)}${REDACTED}${'b'.repeat(100)}`);
  });

  it('a secret across the tail cut is hidden whole (the tail is built from redacted lines)', () => {
    const t = new Tail(100);
    const s = new LineSplitter(
      () => {},
      undefined,
      redact,
      (line, newline) => t.push(newline ? `${line}\n` : line),
    );
    s.push('x'.repeat(1_000));
    s.push(`${secret}${'y'.repeat(90)}`);
    s.push('z'.repeat(5));
    s.end();
    const text = t.text();
    expect(text).toBe(`${REDACTED.slice(-5)}${'y'.repeat(90)}${'z'.repeat(5)}`);
    expect(text).not.toContain('ghij');
  });

  it('a line longer than the splitter keeps: no secret cut at that limit reaches the tail', () => {
    const t = new Tail(100);
    const s = new LineSplitter(
      () => {},
      undefined,
      redact,
      (line, newline) => t.push(newline ? `${line}\n` : line),
    );
    // The secret starts 5 characters before the 1 MiB a line keeps: its first 5 would end the line.
    s.push(`${'a'.repeat(1_048_576 - 5)}${secret}${'b'.repeat(10)}\n`);
    expect(t.text()).not.toContain(secret.slice(0, 5));
    expect(t.text()).toMatch(/^a+…\n$/);
  });

  it('a long run of secrets: no part of one reaches the tail, whatever the chunks', async () => {
    // 1,000-character tokens back to back, no newline (and 3 more characters, so a cut is not on a
    // token boundary): the raw text is far longer than the tail
    // keeps, so a cut of the raw text falls inside a token; redacted, the rest is short enough
    // that such a cut would have reached the tail.
    const token = Array.from(
      { length: 1_000 },
      (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7) % 36],
    ).join('');
    const child = spawnChild({
      argv: [process.execPath, '-e', `process.stdout.write(process.env.LONG_TOKEN.repeat(40) + 'end')`],
      env: { PATH: process.env.PATH ?? '', LONG_TOKEN: token },
      stdin: '',
      redact: createRedactor({ LONG_TOKEN: token }),
    });
    const exit = await child.exited;
    expect(exit.stdoutTail.replaceAll(REDACTED, '')).toBe('end');
  });

  it('each line of a multi-line secret (a PEM key) is a secret', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    const r = createRedactor({ SSH_PRIVATE_KEY: pem });
    expect(r('line: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toBe(`line: ${REDACTED}`);
    expect(r(`dump\n${pem}\n`)).toBe(`dump\n${REDACTED}\n`);
  });

  it('spawnChild redacts lines, tails and the last line when given a redactor', async () => {
    const lines: string[] = [];
    const child = spawnChild({
      argv: [
        process.execPath,
        '-e',
        `console.log(process.env.SERVICE_TOKEN); console.error('err ' + process.env.SERVICE_TOKEN)`,
      ],
      env: { PATH: process.env.PATH ?? '', SERVICE_TOKEN: secret },
      stdin: '',
      redact,
      onLine: (_stream, line) => lines.push(line),
    });
    const exit = await child.exited;
    expect(lines.sort()).toEqual([REDACTED, `err ${REDACTED}`]);
    expect(exit.stdoutTail).toBe(`${REDACTED}\n`);
    expect(exit.stderrTail).toBe(`err ${REDACTED}\n`);
    expect(exit.lastStdoutLine).toBe(REDACTED);
  });
});
