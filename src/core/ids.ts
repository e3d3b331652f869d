import { randomBytes, randomUUID } from 'node:crypto';

// Monotonic within this process (RFC 9562 §6.2, method 1): ids made in the same millisecond carry a
// counter in the 12 rand_a bits, so creation order = id order, which list and claim tie-breaks rely on.
let lastMs = -1;
let counter = 0;

/** UUIDv7: 48-bit millisecond timestamp, 12-bit counter, random bits; sorts by creation time. */
export function uuidv7(nowMs: number = Date.now()): string {
  // A clock that jumped back far (e.g. a test's fake clock) starts a new sequence instead of lying about time.
  if (nowMs > lastMs || nowMs < lastMs - 10_000) {
    lastMs = nowMs;
    counter = randomBytes(2).readUInt16BE(0) & 0x3ff;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  // randomUUID draws from Node's buffered entropy pool (far cheaper than randomBytes per call); its
  // variant bits are already RFC 9562's, and its last 62 random bits become ours.
  const ts = lastMs.toString(16).padStart(12, '0');
  const seq = (0x7000 | counter).toString(16);
  const tail = randomUUID().slice(19);
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-${seq}-${tail}`;
}

/** The smallest UUIDv7 of a millisecond: every id created before `ms` sorts below it. */
export function uuidv7Floor(ms: number): string {
  const h = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7000-8000-000000000000`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is shaped like a UUID (every job id is one). */
export const isUuid = (s: string): boolean => UUID_PATTERN.test(s);

/** An opaque, unguessable lease token, new at every claim. */
export const newLeaseToken = (): string => randomUUID().replaceAll('-', '');

/** An MCP task id: 256 random bits, unguessable, since it alone reads a job's result and cancels it. */
export const newTaskId = (): string => randomBytes(32).toString('base64url');
