// What leaves the worker at a job's end (SPEC §13): text the queue accepts (no NUL, no half of a
// surrogate pair), cut on code-point boundaries, a result within the payload limit.
import { describe, expect, it } from 'vitest';
import { clean, MAX_REPORT_CHARS, parseResult, settle, tailOf } from '../../src/worker/outcome.js';

const exit = { exitCode: null, signal: null, stdoutTail: '', stderrTail: '', lastStdoutLine: null };

describe('outcome', () => {
  it('cleans NUL and lone surrogates', () => {
    expect(clean('a\u0000b')).toBe('a\uFFFDb');
    expect(clean('x\uD83D')).toBe('x\uFFFD');
    expect(clean('ok \u{1F600}')).toBe('ok \u{1F600}');
  });

  it('cuts a tail on a code-point boundary', () => {
    const text = '\u{1F600}'.repeat(5000) + 'y';
    const tail = tailOf(text);
    expect(tail.isWellFormed()).toBe(true);
    expect(tail.length).toBeLessThanOrEqual(MAX_REPORT_CHARS);
    expect(tail.startsWith('\u{1F600}')).toBe(true);
  });

  it('leaves out a result over the payload limit and cleans the strings of one within it', () => {
    expect(parseResult(JSON.stringify({ blob: 'z'.repeat(300 * 1024) }))).toBeUndefined();
    expect(parseResult(JSON.stringify({ 'k\u0000': 'v\u0000' }))).toEqual({ 'k\uFFFD': 'v\uFFFD' });
  });

  it('fails E2BIG for good, other start errors retryable', () => {
    expect(settle({ ...exit, startError: 'spawn E2BIG' }, [], (t) => t)).toMatchObject({ retryable: false });
    expect(settle({ ...exit, startError: 'spawn ENOENT' }, [], (t) => t)).toMatchObject({ retryable: true });
  });
});
