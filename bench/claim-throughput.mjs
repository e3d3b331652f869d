// Claim throughput, the figure the fleet features (named queues, dependencies, concurrency keys)
// must not cost more than 10 % of: N queued no-op jobs, then CONCURRENCY claim-only loops on their
// own connections take them all (no complete, so the claim is what is timed).
//
// usage: node bench/claim-throughput.mjs sqlite|postgres [plain|mixed] [--dist DIR] [--rounds R]
//   plain  every job in the default queue, no key, no dependency (the only mode an older build has)
//   mixed  the same claimable jobs, plus as many again the claimers must walk past or never see:
//          a fifth of the claimable jobs carry a concurrency key of their own (room for each), and
//          the extra jobs sit in another queue or wait for a dependency that never ends
//   --dist a build of another commit (its dist/ folder), to measure "before" in the same run
// env N (default 3000), CONCURRENCY (default 10), AGENT_QUEUE_BENCH_PG_URL.
// Prints one JSON line per round: claims per second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dist: { type: 'string' }, rounds: { type: 'string', default: '1' } },
});
const [backend = 'sqlite', mode = 'plain'] = positionals;
const dist = values.dist ? resolve(values.dist) : resolve(import.meta.dirname, '../dist');
const N = Number(process.env.N ?? 3000);
const C = Number(process.env.CONCURRENCY ?? 10);
const PG_URL = process.env.AGENT_QUEUE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const load = (file) => import(pathToFileURL(join(dist, file)).href);
const { openStore } = await load('store/open.js');
const { QueueService } = await load('queue/service.js');

async function fresh() {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'aq-claim-bench-'));
    const open = () => openStore({ kind: 'sqlite', path: join(dir, 'queue.db') });
    return { open, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `claim_bench_${process.pid}`;
  const admin = async (q) => {
    const c = new pg.Client(PG_URL);
    await c.connect();
    await c.query(q);
    await c.end();
  };
  await admin(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  const open = () => openStore({ kind: 'postgres', url: PG_URL, schema, poolSize: 2 });
  return { open, drop: () => admin(`drop schema if exists ${schema} cascade`) };
}

async function round() {
  const db = await fresh();
  const store0 = db.open();
  await store0.migrate();
  const service = new QueueService({ store: store0 });
  const enqueueAll = async (count, input) => {
    for (let i = 0; i < count; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, (_, j) => service.enqueue(input(i + j))),
      );
    }
  };
  if (mode === 'mixed') {
    // A dependency that never ends: its dependents stay blocked (out of the claim index).
    const { job: never } = await service.enqueue({ type: 'never', queue: 'parked' });
    await enqueueAll(N / 2, () => ({ type: 'noop', queue: 'other-project' }));
    await enqueueAll(N / 2, () => ({ type: 'noop', dependsOn: [never.id] }));
    await enqueueAll(N, (i) => ({ type: 'noop', ...(i % 5 === 0 ? { concurrencyKey: `repo:${i}` } : {}) }));
  } else {
    await enqueueAll(N, () => ({ type: 'noop' }));
  }
  // Each claimer on a connection of its own, as separate worker processes would be.
  const claimers = Array.from({ length: C }, () => {
    const store = db.open();
    return { store, service: new QueueService({ store }) };
  });
  await Promise.all(claimers.map((c) => c.store.connect()));
  let claimed = 0;
  const t0 = performance.now();
  await Promise.all(
    claimers.map(async (c, w) => {
      for (;;) {
        const { job } = await c.service.claim({ workerId: `bench-${w}` });
        if (!job) return;
        claimed++;
      }
    }),
  );
  const ms = performance.now() - t0;
  if (claimed !== N) throw new Error(`claimed ${claimed} of ${N}`);
  for (const c of claimers) await c.store.close();
  await store0.close();
  await db.drop();
  return { backend, mode, N, C, claim_ms: Math.round(ms), claims_per_s: Math.round((N / ms) * 1000) };
}

for (let r = 0; r < Number(values.rounds); r++) console.log(JSON.stringify({ dist, ...(await round()) }));
