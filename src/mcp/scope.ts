// The job types a server started with --types may claim. A configured scope, like a token's
// allowed types: the server narrows what it asks the queue for, the queue decides the rest.
import { QueueError } from '../queue/errors.js';

export function allowedTypes(
  asked: string[] | undefined,
  allowed: string[] | undefined,
): string[] | undefined {
  if (!allowed) return asked;
  if (!asked || asked.length === 0) return allowed;
  const outside = asked.filter((t) => !allowed.includes(t));
  if (outside.length > 0) {
    throw new QueueError(
      'forbidden',
      `This server only claims job types ${allowed.join(', ')} (set by --types / AGENT_QUEUE_TYPES); ${outside.join(', ')} is not among them. Ask for a subset, or omit types.`,
    );
  }
  return asked;
}
