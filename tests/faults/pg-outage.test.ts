// PostgreSQL going away under running processes: restarts (fast, immediate), terminated backends and
// connections cut mid-query. Every surface answers `unavailable` meanwhile, no process dies, and the
// same processes work again once the database is back. PostgreSQL only: a private instance.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueService } from '../../src/queue/service.js';
import type { TestDb } from '../helpers/backends.js';
import { runCli } from '../helpers/cli.js';
import { queryRows } from '../helpers/sql.js';
import { McpHarness } from '../mcp/harness.js';
import { McpChild } from './mcp-child.js';
import { FAULT_PLAN, injectFaults, newStats, runWorker, type InjectionLog } from './outage-load.js';
import { pollUntil } from './poll.js';
import { PG_BINARIES, usePrivatePostgres } from './private-pg.js';
import { expectNoDamage } from './report.js';

const JOBS = 150;
const SERVERS = 3;
const WORK_MS = 400;
const LEASE_SECONDS = 3;
const FAULT_GAP_MS = 1_200;
const SETTLE_MS = 45_000;
// A job whose lease expired in an outage is retried within seconds, not after the default 15 s.
const FAST_BACKOFF = { AGENT_QUEUE_BACKOFF_BASE_SECONDS: '1', AGENT_QUEUE_BACKOFF_CAP_SECONDS: '2' };

async function enqueueJobs(db: TestDb, n: number): Promise<void> {
  const store = db.open();
  const service = new QueueService({ store });
  try {
    for (let i = 0; i < n; i++) await service.enqueue({ type: 'fault.pg', payload: { i }, maxAttempts: 100 });
  } finally {
    await service.close();
    await store.close();
  }
}

/** Statuses of a job not finished yet. */
const OPEN = ['queued', 'running'];

interface JobOutcome {
  id: string;
  status: string;
  completed: number;
}

const outcomes = (db: TestDb) =>
  queryRows(
    db,
    `select j.id, j.status, (select count(*) from agent_job_events e
       where e.job_id = j.id and e.kind = 'completed')::int as completed from agent_jobs j`,
  ) as Promise<unknown> as Promise<JobOutcome[]>;

/** Until no job is queued or running, every server is gone, or the deadline. */
async function settle(db: TestDb, servers: McpChild[], ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline && servers.some((s) => !s.exit)) {
    const open = await outcomes(db)
      .then((rows) => rows.filter((r) => OPEN.includes(r.status)).length)
      .catch(() => -1);
    if (open === 0) return;
    await sleep(500);
  }
}

describe.skipIf(!PG_BINARIES)('PostgreSQL outages under running processes', () => {
  const pg = usePrivatePostgres();
  const servers: McpChild[] = [];
  let h: McpHarness | undefined;
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await h?.cleanup();
    h = undefined;
  });

  it('restarts, terminated backends and cut connections under load: every job done once, no crash', async () => {
    h = await new McpHarness(pg.pgi.backend({ port: pg.proxy.port })).setup();
    await enqueueJobs(h.db, JOBS);
    for (let i = 0; i < SERVERS; i++) {
      servers.push(await McpChild.start(h.env(FAST_BACKOFF), { args: ['--worker-id', `pg-outage-${i}`] }));
    }
    const stats = servers.map(newStats);
    const startedAt = performance.now();
    let stopping = false;
    const workers = servers.map((s, i) =>
      runWorker(s, stats[i]!, {
        workMs: WORK_MS,
        leaseSeconds: LEASE_SECONDS,
        stop: () => stopping,
      }),
    );
    let log: InjectionLog | undefined;
    try {
      log = await injectFaults(pg.pgi, pg.proxy, FAULT_PLAN, {
        gapMs: FAULT_GAP_MS,
        targetsLeft: () => servers.some((s) => !s.exit),
      });
    } finally {
      await settle(h.db, servers, SETTLE_MS);
      stopping = true;
      await Promise.all(workers);
    }

    const rows = await outcomes(h.db);
    const answering = await Promise.all(
      servers.map((s) =>
        s.exit
          ? false
          : s.tool('queue_status').then(
              (r) => !r.isError,
              () => false,
            ),
      ),
    );
    for (const s of servers.filter((x) => x.crashed)) {
      console.log(`server crashed ${JSON.stringify(s.exit)}; stderr tail:\n${s.stderr().slice(-1_500)}`);
    }
    const sum = (k: 'unavailable' | 'leaseLost' | 'noAnswer') => stats.reduce((n, s) => n + s[k], 0);
    const other = stats.flatMap((s) => s.other);
    if (other.length > 0) console.log(`unexpected error answers: ${[...new Set(other)].join(', ')}`);
    expectNoDamage('pg-outage-load', 'postgres', {
      jobs: JOBS,
      faults: Object.values(log.injected).reduce((a, b) => a + b, 0),
      duplicates: rows.filter((r) => r.completed > 1).length,
      // Missing, or ended in any other way than one recorded success (a double success is a duplicate).
      lost:
        JOBS -
        rows.length +
        rows.filter((r) => (r.status === 'succeeded' ? r.completed === 0 : !OPEN.includes(r.status))).length,
      stuck: rows.filter((r) => OPEN.includes(r.status)).length,
      crashes: servers.filter((s) => s.crashed).length,
      extra: {
        succeeded: rows.filter((r) => r.status === 'succeeded').length,
        unavailable: sum('unavailable'),
        restartsFast: log.injected['restart-fast'],
        restartsImmediate: log.injected['restart-immediate'],
        terminations: log.injected.terminate,
        backendsTerminated: log.backendsTerminated,
        drops: log.injected.drop,
        connectionsCut: log.connectionsCut,
        leaseLost: sum('leaseLost'),
        noAnswer: sum('noAnswer'),
        otherErrors: other.length,
        answering: `${answering.filter(Boolean).length}/${SERVERS}`,
        seconds: Math.round((performance.now() - startedAt) / 1_000),
      },
    });
    expect(answering).toEqual(servers.map(() => true));
    expect(other).toEqual([]);
  });

  it('CLI: `list` while PostgreSQL is down says unavailable (exit 3), and works once it is back', async () => {
    h = await new McpHarness(pg.pgi.backend()).setup();
    await pg.pgi.stop({ mode: 'fast' });
    let during;
    try {
      during = await runCli(h.env(), ['list']);
    } finally {
      await pg.pgi.start();
    }
    const after = await runCli(h.env(), ['list']);
    console.log(`cli during outage: exit ${during.code}, stderr: ${during.stderr}`);
    expect(during.code).toBe(3);
    expect(during.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error \[unavailable\]: \S/)]);
    expect(after).toMatchObject({ code: 0, stderr: '' });
  });

  it('serve: /healthz answers 503 while PostgreSQL is down and 200 again after, same process', async () => {
    h = await new McpHarness(pg.pgi.backend()).setup();
    const served = await h.serve();
    const health = () =>
      fetch(new URL('/healthz', served.base), { signal: AbortSignal.timeout(10_000) }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as { error?: { code: string } } }),
        (err: Error) => ({ status: -1, body: { error: { code: `no answer: ${err.message}` } } }),
      );
    expect((await health()).status).toBe(200);
    await pg.pgi.stop({ mode: 'fast' });
    let during;
    try {
      during = await health();
    } finally {
      await pg.pgi.start();
    }
    const after = await pollUntil(health, (r) => r.status === 200, 20_000);
    const exited = served.child.exitCode ?? served.child.signalCode;
    console.log(
      `healthz during outage: ${JSON.stringify(during)}; after: ${after.status}; serve exit: ${exited}` +
        (exited === null ? '' : `; stderr tail:\n${served.stderr().slice(-1_500)}`),
    );
    expect(during).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    expect(after.status).toBe(200);
    expect(exited).toBeNull();
  });
});
