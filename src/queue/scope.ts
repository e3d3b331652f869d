// A claimer's scope of job types (a server started with --types today, a worker token's allowed
// types later): a claim may narrow it, never widen it.
import { QueueError } from '../core/errors.js';

export function narrowTypes(
  asked: string[] | undefined,
  allowed: string[] | undefined,
): string[] | undefined {
  if (!allowed) return asked;
  // `asked` comes from the claim schema: undefined (any type) or a non-empty list. The store takes
  // the same, so an empty scope (a setting of only commas) stays what it always was here: any type.
  if (!asked) return allowed.length > 0 ? allowed : undefined;
  const outside = asked.filter((t) => !allowed.includes(t));
  if (outside.length > 0) {
    throw new QueueError(
      'forbidden',
      `This worker may only claim job types ${allowed.join(', ')} (its configured scope); ${outside.join(', ')} is not among them. Ask for a subset, or omit types.`,
      { hint: 'claim_scope' },
    );
  }
  return asked;
}
