// Batched completion (issue 12): a worker holding many leases ends them in one write. Each item is
// what `complete` takes and gets what `complete` would answer; only the items that are plainly
// safe to end together are (the job runs under that token and nobody depends on it), the rest go
// through `complete` one by one, which explains a refusal, answers a repeat, or propagates to
// dependents. Lease tokens and the per-job timeline are kept: one `completed` event per job.
import { isQueueError } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import type { CompleteBatchAnswer } from '../core/types.js';
import type { QueueContext } from './context.js';
import { complete } from './lease.js';
import * as S from './schemas.js';
import { decideComplete, type Decision } from './transitions.js';
import { assertJsonWithinLimit, parseInput } from './validate.js';
import { toJob } from './view.js';
import { keyRoomAfter } from './wakeups.js';

type Item = ReturnType<typeof S.completeBatchInput.parse>['items'][number];
type Result = CompleteBatchAnswer['results'][number];

export async function completeBatch(
  ctx: QueueContext,
  raw: S.CompleteBatchInput,
): Promise<CompleteBatchAnswer> {
  const { items } = parseInput(S.completeBatchInput, raw, 'completeBatch');
  const results: (Result | undefined)[] = new Array(items.length);
  const now = ctx.clock.now();
  // Together: the first item of each job, with a result within the limit. The others go alone.
  const together: { k: number; item: Item; d: Decision }[] = [];
  const alone: number[] = [];
  const seen = new Set<string>();
  for (const [k, item] of items.entries()) {
    const fits = fitsLimit(item, ctx.settings.payloadLimitBytes);
    if (!fits || !isUuid(item.jobId) || seen.has(item.jobId)) alone.push(k);
    else together.push({ k, item, d: decideComplete(item, now) });
    seen.add(item.jobId);
  }
  const written = await ctx.store.jobEndMany({
    now,
    items: together.map(({ item, d }) => ({
      id: item.jobId,
      leaseToken: item.leaseToken,
      set: d.set,
      event: d.event!,
    })),
  });
  const byId = new Map(written.map((job) => [job.id.toLowerCase(), job]));
  const rooms = new Map<string, Parameters<QueueContext['store']['notify']>[0]>();
  for (const { k, item, d } of together) {
    const job = byId.get(item.jobId);
    if (!job) {
      alone.push(k);
      continue;
    }
    ctx.observers.emit({ job, kind: d.event!.kind, data: d.event!.data, at: now });
    const room = keyRoomAfter(d, job);
    if (room) rooms.set(JSON.stringify(room), room);
    results[k] = { job: toJob(job) };
  }
  // A key with a free slot wakes its claimers once, however many of its jobs ended here.
  for (const room of rooms.values()) await ctx.store.notify(room).catch(() => undefined);
  await Promise.all(
    alone.map(async (k) => {
      results[k] = await complete(ctx, items[k]!).then(
        ({ job }) => ({ job }),
        (err: unknown) => {
          // A refusal belongs to its item; anything else (the database is gone) fails the call, which
          // is safe to repeat: a repeated complete with the same token answers the same job.
          if (!isQueueError(err)) throw err;
          return { error: { code: err.code, message: err.message } };
        },
      );
    }),
  );
  return { results: results as Result[] };
}

function fitsLimit(item: Item, limit: number): boolean {
  try {
    assertJsonWithinLimit('result', item.result, limit);
    return true;
  } catch {
    return false;
  }
}
