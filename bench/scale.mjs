// Claim latency at scale: one claimer's claim (+ complete) with 1,000 queued jobs, against 1,000,000
// queued plus 1,000,000 finished ones (each finished job with two timeline events); sequential
// calls after a warm-up, p50/p99. The big tables are filled with bulk SQL after migrate(), like a
// queue that lived long. PostgreSQL is measured right after the fill (stale statistics, as after a
// burst) and again after ANALYZE. Prints one JSON line per backend.
// Run after `npm run build`: node bench/scale.mjs postgres|sqlite [--quick]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../dist/store/open.js';
import { openSqlite } from '../dist/store/sqlite-driver.js';
import { QueueService } from '../dist/queue/service.js';

const args = process.argv.slice(2);
const backend = args.includes('postgres') ? 'postgres' : 'sqlite';
const quick = args.includes('--quick');
const LARGE = quick ? 20_000 : 1_000_000;
const SMALL = 1_000;
const CALLS = quick ? 100 : 500;
const WARMUP = 20;
const PG_URL = process.env.AGENT_QUEUE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const log = (...a) => console.error('[scale]', ...a);
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const ms = (v) => Math.round(v * 100) / 100;

/** A fresh database filled with `queued` claimable and `finished` succeeded jobs. */
async function filled(queued, finished) {
  if (backend === 'postgres') {
    const schema = `bench_scale_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const store = openStore({ kind: 'postgres', url: PG_URL, schema });
    await store.migrate();
    const t0 = performance.now();
    const cols = `id, type, status, priority, payload, required_capabilities, run_at, attempt, max_attempts,
      created_at, updated_at, queue`;
    // Finished first (older), then the queued ones; created_at grows with the series.
    await admin.query(
      `insert into ${schema}.agent_jobs (${cols}, finished_at, started_at)
       select gen_random_uuid(), 'noop', 'succeeded', 0, '{}', '{}', t, 1, 3, t, t, 'default', t, t
       from (select now() - interval '30 days' + g * interval '1 ms' as t from generate_series(1, $1) g) s`,
      [finished],
    );
    await admin.query(
      `insert into ${schema}.agent_job_events (job_id, at, level, kind, attempt, message, data)
       select id, created_at, 'info', k, 1, null, null from ${schema}.agent_jobs, unnest(array['claimed', 'completed']) k`,
    );
    await admin.query(
      `insert into ${schema}.agent_jobs (${cols})
       select gen_random_uuid(), 'noop', 'queued', 0, '{}', '{}', t, 0, 3, t, t, 'default'
       from (select now() - interval '1 day' + g * interval '1 ms' as t from generate_series(1, $1) g) s`,
      [queued],
    );
    const fillS = (performance.now() - t0) / 1000;
    return {
      store,
      fillS,
      analyze: () => admin.query(`analyze ${schema}.agent_jobs; analyze ${schema}.agent_job_events`),
      drop: async () => {
        await store.close();
        await admin.query(`drop schema ${schema} cascade`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'aq-scale-'));
  const path = join(dir, 'queue.db');
  const first = openStore({ kind: 'sqlite', path });
  await first.migrate();
  await first.close();
  const t0 = performance.now();
  // One transaction on a handle of its own, without waiting for the disk: only the fill is unsafe.
  const raw = openSqlite(path, 'auto', 10_000);
  raw.exec('pragma synchronous = OFF');
  raw.exec('begin');
  const now = Date.now();
  const fill = (status, n, from, base) =>
    n > 0 &&
    raw.run(
      `with recursive g(n) as (select 1 union all select n + 1 from g where n < ?)
       insert into agent_jobs (id, type, status, priority, payload, required_capabilities, run_at, attempt,
         max_attempts, created_at, updated_at, started_at, finished_at, queue)
       select printf('%08x-0000-7000-8000-%012x', cast(? as integer) + n, cast(? as integer) + n), 'noop', ?, 0, '{}', '[]', ? + n, 0, 3,
         ? + n, ? + n, ${status === 'queued' ? 'null, null' : '? + n, ? + n'}, 'default' from g`,
      n,
      from,
      from,
      status,
      base,
      base,
      base,
      ...(status === 'queued' ? [] : [base, base]),
    );
  fill('succeeded', finished, 0, now - 30 * 86_400_000);
  raw.run(
    `insert into agent_job_events (job_id, at, level, kind, attempt)
     select j.id, j.created_at, 'info', k.value, 1 from agent_jobs j, json_each('["claimed","completed"]') k`,
  );
  fill('queued', queued, finished, now - 86_400_000);
  raw.exec('commit');
  raw.close();
  const fillS = (performance.now() - t0) / 1000;
  const store = openStore({ kind: 'sqlite', path });
  return {
    store,
    fillS,
    drop: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })),
  };
}

/** Sequential claim (timed) + complete calls: p50/p99 of the claim. */
async function claimLatency(store) {
  const service = new QueueService({ store });
  const times = [];
  for (let i = 0; i < CALLS + WARMUP; i++) {
    const t0 = performance.now();
    const { job, lease } = await service.claim({ workerId: 'scale' });
    const dt = performance.now() - t0;
    if (!job) throw new Error('ran out of jobs');
    await service.complete({ jobId: job.id, leaseToken: lease.token });
    if (i >= WARMUP) times.push(dt);
  }
  await service.close();
  times.sort((a, b) => a - b);
  return { p50: ms(percentile(times, 50)), p99: ms(percentile(times, 99)) };
}

const small = await filled(SMALL, 0);
const smallLat = await claimLatency(small.store);
await small.drop();
log(`small (${SMALL} queued): p50 ${smallLat.p50} ms, p99 ${smallLat.p99} ms`);

const large = await filled(LARGE, LARGE);
log(`filled ${LARGE} queued + ${LARGE} finished in ${large.fillS.toFixed(1)} s`);
const out = {
  case: 'scale',
  backend,
  small_queued: SMALL,
  large_rows: { queued: LARGE, finished: LARGE, events: 2 * LARGE },
  fill_s: Math.round(large.fillS),
  small_p50_ms: smallLat.p50,
  small_p99_ms: smallLat.p99,
};
const stale = await claimLatency(large.store);
if (large.analyze) {
  out.large_stale_p50_ms = stale.p50;
  out.large_stale_p99_ms = stale.p99;
  await large.analyze();
}
const big = large.analyze ? await claimLatency(large.store) : stale;
await large.drop();
out.large_p50_ms = big.p50;
out.large_p99_ms = big.p99;
out.ratio_p50 = Math.round((big.p50 / smallLat.p50) * 100) / 100;
out.ratio_p99 = Math.round((big.p99 / smallLat.p99) * 100) / 100;
console.log(JSON.stringify(out));
