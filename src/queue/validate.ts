// Parses an operation input with its shared schema; a bad input becomes `invalid_argument` with a
// message that names each wrong field and says what it should be.
import type { z } from 'zod';
import { echo } from '../core/echo.js';
import { QueueError } from '../core/errors.js';

/** JSON nested deeper than this is refused: deeper input only serves to exhaust a stack somewhere. */
const MAX_JSON_DEPTH = 64;
/** Most unknown field names one message lists. */
const MAX_ECHOED_KEYS = 5;

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const raw = input ?? {};
  // Before zod, on the input as sent: zod rebuilds objects, and its issues cannot name a deep path.
  const problem = storableProblem(raw);
  if (problem) throw new QueueError('invalid_argument', `Invalid ${operation} arguments: ${problem}`);
  const res = schema.safeParse(raw);
  if (res.success) return res.data;
  // Everything of the caller's that a message repeats goes through echo(): a key may be megabytes long.
  const issues = res.error.issues.map((i) => ({
    path: i.path.map((p) => echo(String(p))),
    message: i.code === 'unrecognized_keys' ? unknownKeys(i.keys) : i.message,
  }));
  const problems = issues.map((i, n) =>
    res.error.issues[n]!.code === 'unrecognized_keys'
      ? i.message
      : `${i.path.join('.') || 'input'}: ${i.message}`,
  );
  throw new QueueError('invalid_argument', `Invalid ${operation} arguments: ${problems.join('; ')}.`, {
    details: { issues },
  });
}

/** A JSON size limit (payload, result): bytes of the value as JSON in UTF-8. */
export function assertJsonWithinLimit(field: string, value: unknown, limit: number): void {
  if (value === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes <= limit) return;
  throw new QueueError(
    'payload_too_large',
    `${field} is ${bytes} bytes; the limit is ${limit}. Put large content in a file or URL and pass its location in the ${field}.`,
    { details: { bytes, limit } },
  );
}

function unknownKeys(keys: string[]): string {
  const shown = keys.slice(0, MAX_ECHOED_KEYS).map((k) => `"${echo(k)}"`);
  if (keys.length > MAX_ECHOED_KEYS) shown.push(`and ${keys.length - MAX_ECHOED_KEYS} more`);
  return `unknown field(s) ${shown.join(', ')}: remove them`;
}

/** One object or array being walked: its entries are visited by index, its path is kept only once. */
interface Frame {
  container: Record<string, unknown> | unknown[];
  /** Object keys (null for an array, walked by index without copying its keys). */
  keys: string[] | null;
  next: number;
  /** The key or index under which this container sits in its parent. */
  key: string;
}

/**
 * What would keep the input from being stored and returned exactly as sent, on both backends: a
 * string or key with NUL (PostgreSQL refuses it in text and jsonb) or that is not well-formed UTF-16
 * (a lone surrogate: each backend replaces or refuses it differently), or JSON nested deeper than
 * MAX_JSON_DEPTH. Depth-first with an explicit stack of at most MAX_JSON_DEPTH frames, so no input
 * can exhaust the call stack, and nothing is allocated per leaf: a request of millions of elements
 * (legal up to the request limit, refused afterwards by the size limits) costs one pass, not a copy.
 */
function storableProblem(input: unknown): string | null {
  // Operation inputs are objects; anything else is for the schema to refuse.
  if (typeof input !== 'object' || input === null) return null;
  const stack: Frame[] = [frameOf(input, '')];
  const pathTo = (last?: string) => [
    ...stack.slice(1).map((f) => f.key),
    ...(last === undefined ? [] : [last]),
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const size = top.keys ? top.keys.length : (top.container as unknown[]).length;
    if (top.next >= size) {
      stack.pop();
      continue;
    }
    const i = top.next++;
    const key = top.keys ? top.keys[i]! : String(i);
    if (top.keys) {
      const wrong = textProblem(key);
      if (wrong) return `${where(pathTo(key))}: the key ${wrong}`;
    }
    const value = (top.container as Record<string, unknown>)[key];
    if (typeof value === 'string') {
      const wrong = textProblem(value);
      if (wrong) return `${where(pathTo(key))} ${wrong}`;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    // The arguments object itself is depth 0; a field's own object or array is its first level.
    if (stack.length > MAX_JSON_DEPTH) {
      return `${where(pathTo(key).slice(0, 1))} is nested deeper than ${MAX_JSON_DEPTH} levels. Flatten it, or put the data in a file or URL and pass its location.`;
    }
    stack.push(frameOf(value, key));
  }
  return null;
}

const frameOf = (value: object, key: string): Frame =>
  Array.isArray(value)
    ? { container: value, keys: null, next: 0, key }
    : { container: value as Record<string, unknown>, keys: Object.keys(value), next: 0, key };

function textProblem(s: string): string | null {
  if (s.includes('\0'))
    return 'must not contain NUL characters (\\u0000). Remove them or encode the data (e.g. base64).';
  if (!s.isWellFormed())
    return 'is not well-formed Unicode: it contains a lone surrogate (\\uD800–\\uDFFF without its pair). Send valid UTF-16/UTF-8 text, or encode binary data (e.g. base64).';
  return null;
}

const where = (path: string[]): string => (path.length === 0 ? 'input' : echo(path.join('.')));
