// How a child's exit becomes the job's end (SPEC §13): exit 0 completes with the stdout tail as
// resultSummary (and the last stdout line as `result` when it is a JSON object); anything else fails,
// retryable unless the exit code is one the operator listed as final.
import type { ChildExit } from './types.js';

export const MAX_REPORT_CHARS = 8_000;
/** A `result` larger than this (as JSON) is left out: the queue's default payload limit. */
export const MAX_RESULT_BYTES = 256 * 1024;

/**
 * Text the queue accepts: NUL becomes U+FFFD and a lone surrogate (half of a pair cut apart)
 * becomes U+FFFD too. Every string leaving the worker goes through this.
 */
export function clean(text: string): string {
  return (text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text).toWellFormed();
}

/** `text` from offset `start`, moved forward when `start` would split a surrogate pair. */
function sliceFrom(text: string, start: number): string {
  const code = text.charCodeAt(start);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? start + 1 : start);
}

/** Every string (and key) of a JSON value cleaned. */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), cleanJson(v)]));
  return value;
}

export type Settlement =
  | { kind: 'complete'; resultSummary?: string; result?: Record<string, unknown> }
  | { kind: 'fail'; error: string; retryable: boolean };

/** The last `max` characters of text (cut at a line start when one is near), trimmed. */
export function tailOf(text: string, max = MAX_REPORT_CHARS): string {
  const trimmed = clean(text).trimEnd();
  if (trimmed.length <= max) return trimmed;
  const cut = sliceFrom(trimmed, trimmed.length - max);
  const nl = cut.indexOf('\n');
  return nl >= 0 && nl < 200 ? cut.slice(nl + 1) : cut;
}

/** The last stdout line as a JSON object, or undefined. */
export function parseResult(line: string | null): Record<string, unknown> | undefined {
  if (!line) return undefined;
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = cleanJson(JSON.parse(text));
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    // Too large for the queue: the job completes without it (the summary still has the tail).
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_RESULT_BYTES) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `redact` runs over everything that leaves the worker (summary, result line, error). */
export function settle(
  exit: ChildExit,
  noRetryExitCodes: readonly number[],
  redact: (text: string) => string,
): Settlement {
  if (exit.startError !== undefined) {
    // Another worker may have the program: let the queue retry elsewhere. E2BIG (arguments or
    // environment too large) fails the same on every worker.
    return {
      kind: 'fail',
      error: tailOf(redact(`could not start the command: ${exit.startError}`)),
      retryable: !/\bE2BIG\b/.test(exit.startError),
    };
  }
  if (exit.exitCode === 0) {
    const summary = tailOf(redact(exit.stdoutTail));
    const result = parseResult(exit.lastStdoutLine === null ? null : redact(exit.lastStdoutLine));
    return {
      kind: 'complete',
      ...(summary ? { resultSummary: summary } : {}),
      ...(result ? { result } : {}),
    };
  }
  if (exit.exitCode === null) {
    const stderr = tailOf(redact(exit.stderrTail));
    const why = `killed by ${exit.signal ?? 'a signal'}`;
    return { kind: 'fail', error: tailOf(stderr ? `${why}\n${stderr}` : why), retryable: true };
  }
  const stderr = tailOf(redact(exit.stderrTail));
  return {
    kind: 'fail',
    error: stderr || `exit code ${exit.exitCode}`,
    retryable: !noRetryExitCodes.includes(exit.exitCode),
  };
}
