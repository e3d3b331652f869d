// A claimer's scope of job types (a server started with --types today, a worker token's allowed
// types later): a claim may narrow it, never widen it.
import { QueueError } from './errors.js';

export function narrowTypes(
  asked: string[] | undefined,
  allowed: string[] | undefined,
): string[] | undefined {
  if (!allowed) return asked;
  if (!asked || asked.length === 0) return allowed;
  const outside = asked.filter((t) => !allowed.includes(t));
  if (outside.length > 0) {
    throw new QueueError(
      'forbidden',
      `This worker may only claim job types ${allowed.join(', ')} (its configured scope, e.g. --types / AGENT_QUEUE_TYPES); ${outside.join(', ')} is not among them. Ask for a subset, or omit types.`,
    );
  }
  return asked;
}
