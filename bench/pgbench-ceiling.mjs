// The ceiling of agent-queue's claim + complete SQL on this PostgreSQL: the very statements the built
// store sends (captured from its pg pool while it claims and completes one job) replayed by pgbench
// with C clients, prepared, N transactions pairs in all, on a schema migrated by the store and filled
// with N queued jobs. What is left between this and the queue's own jobs/s is the Node side.
// Run after `npm run build`: node bench/pgbench-ceiling.mjs [--quick] [--print-script]   (env N, CONCURRENCY, DATABASE_URL)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../dist/store/open.js';
import { QueueService } from '../dist/queue/service.js';

const quick = process.argv.includes('--quick');
const N = Number(process.env.N ?? (quick ? 1000 : 10000));
const C = Number(process.env.CONCURRENCY ?? 10);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function pgbenchPath() {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
  const found = versions
    .map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`)
    .filter((f) => existsSync(f))
    .at(-1);
  if (found) return found;
  throw new Error(
    'pgbench not found: install the PostgreSQL client tools (Debian: postgresql-contrib or the server package)',
  );
}

const schema = `bench_pgb_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create schema ${schema}`);
const dir = mkdtempSync(join(tmpdir(), 'aq-pgbench-'));
try {
  // 1. Capture the statements of one claim and one complete.
  const captured = [];
  const query = pg.Pool.prototype.query;
  pg.Pool.prototype.query = function (q, ...rest) {
    if (q && typeof q === 'object' && q.name) captured.push({ text: q.text, values: q.values });
    return query.call(this, q, ...rest);
  };
  const store = openStore({ kind: 'postgres', url, schema });
  await store.migrate();
  const service = new QueueService({ store });
  const { job } = await service.enqueue({ type: 'noop', payload: {} });
  captured.length = 0;
  const { lease } = await service.claim({ workerId: 'pgbench' });
  const claim = captured.find((c) => /agent_queue_pick/.test(c.text));
  captured.length = 0;
  await service.complete({ jobId: job.id, leaseToken: lease.token });
  const complete = captured.find((c) => /"status" = \$1/.test(c.text) && c.values.includes(lease.token));
  pg.Pool.prototype.query = query;
  await service.close();
  await store.close();
  if (!claim || !complete) throw new Error('could not capture the claim and complete statements');

  // 2. Turn them into a pgbench script: literals for the values, times as now(), and the claimed
  //    job's id and lease token carried from the claim (\gset) into the complete.
  const literal = (v) => {
    if (v === null || v === undefined) return 'NULL';
    if (v instanceof Date || (typeof v === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(v))) return 'now()';
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    const text = Array.isArray(v) ? `{${v.map((x) => JSON.stringify(String(x))).join(',')}}` : String(v);
    return `'${text.replaceAll("'", "''")}'`;
  };
  const inline = ({ text, values }, vars = {}) =>
    text.replace(/\$(\d+)\b/g, (_, i) => {
      const v = values[Number(i) - 1];
      return vars[v] ?? literal(v);
    });
  const script = [
    `${inline(claim).replace(/\s+/g, ' ')}`,
    '\\gset',
    `${inline(complete, { [job.id]: ':id', [lease.token]: ':lease_token' }).replace(/\s+/g, ' ')};`,
    '',
  ].join('\n');
  const file = join(dir, 'claim-complete.sql');
  writeFileSync(file, script);
  if (process.argv.includes('--print-script')) console.error(script);

  // 3. N queued jobs, fresh statistics, then pgbench.
  await admin.query(`delete from ${schema}.agent_job_events; delete from ${schema}.agent_jobs`);
  await admin.query(
    `insert into ${schema}.agent_jobs (id, type, status, priority, payload, required_capabilities, run_at,
       attempt, max_attempts, created_at, updated_at, queue)
     select gen_random_uuid(), 'noop', 'queued', 0, '{}', '{}', t, 0, 3, t, t, 'default'
     from (select now() - interval '1 hour' + g * interval '1 ms' as t from generate_series(1, $1) g) s`,
    [N],
  );
  await admin.query(`analyze ${schema}.agent_jobs`);
  const u = new URL(url);
  const out = execFileSync(
    pgbenchPath(),
    [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(C),
      '-j',
      '2',
      '-t',
      String(Math.ceil(N / C)),
      '-f',
      file,
      '-h',
      u.hostname,
      '-p',
      u.port || '5432',
      '-U',
      decodeURIComponent(u.username) || 'postgres',
      u.pathname.slice(1) || 'postgres',
    ],
    {
      env: {
        ...process.env,
        PGOPTIONS: `-c search_path=${schema}`,
        PGPASSWORD: decodeURIComponent(u.password),
      },
      encoding: 'utf8',
    },
  );
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
  const done = Number(
    (await admin.query(`select count(*) n from ${schema}.agent_jobs where status = 'succeeded'`)).rows[0].n,
  );
  // Every transaction pair must have claimed and completed one job, else the figure means nothing.
  if (done !== N) throw new Error(`pgbench completed ${done} of ${N} jobs:\n${out}`);
  const version = (await admin.query('show server_version')).rows[0].server_version;
  console.log(JSON.stringify({ case: 'pgbench', N, C, jobs_per_s: Math.round(tps), postgres: version }));
} finally {
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
