// Parses an operation input with its shared schema; a bad input becomes `invalid_argument` with a
// message that names each wrong field and says what it should be.
import type { z } from 'zod';
import { QueueError } from './errors.js';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const res = schema.safeParse(input ?? {});
  if (res.success) {
    // PostgreSQL cannot store NUL in text or jsonb while SQLite can: refuse it on both, up front.
    if (containsNul(res.data)) {
      throw new QueueError(
        'invalid_argument',
        `Invalid ${operation} arguments: text and JSON values must not contain NUL characters (\\u0000). Remove them or encode the data (e.g. base64).`,
      );
    }
    return res.data;
  }
  const problems = res.error.issues.map((i) => {
    const where = i.path.length > 0 ? i.path.join('.') : 'input';
    if (i.code === 'unrecognized_keys')
      return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}: remove them`;
    return `${where}: ${i.message}`;
  });
  throw new QueueError('invalid_argument', `Invalid ${operation} arguments: ${problems.join('; ')}.`, {
    details: { issues: res.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  });
}

function containsNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\0');
  if (Array.isArray(v)) return v.some(containsNul);
  if (v && typeof v === 'object')
    return Object.entries(v).some(([k, x]) => k.includes('\0') || containsNul(x));
  return false;
}
