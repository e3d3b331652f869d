// Parses an operation input with its shared schema; a bad input becomes `invalid_argument` with a
// message that names each wrong field and says what it should be.
import type { z } from 'zod';
import { QueueError } from './errors.js';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const res = schema.safeParse(input ?? {});
  if (res.success) return res.data;
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
