// npm run bench — the whole comparison in one run: agent-queue beside graphile-worker and pg-boss on
// the same PostgreSQL, same N and concurrency, under the same Node (the peers' Node 24), then the
// figures only agent-queue has (pgbench ceiling, scale, MCP, REST, worker runtime, cold start).
// Writes bench/results/<time>.json and, unless --quick, the generated section of bench/README.md.
//   npm run bench [-- --quick] [-- --only tp,batch,latency,pgbench,scale,mcp,rest,cancel,cold]
// env: N (10000), CONCURRENCY (10), LAT_N (200), DATABASE_URL, PEERS_DIR (~/.cache/agent-queue-peers)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReport } from './report.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const N = Number(process.env.N ?? (quick ? 1000 : 10000));
const C = Number(process.env.CONCURRENCY ?? 10);
const LAT_N = Number(process.env.LAT_N ?? (quick ? 50 : 200));
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PEERS = process.env.PEERS_DIR ?? join(homedir(), '.cache', 'agent-queue-peers');
const PEER_NODE = join(PEERS, 'node_modules', '.bin', 'node');
const PEER_BENCH = join(PEERS, 'peer-bench.mjs');
const CASE_TIMEOUT_S = quick ? 180 : 600;
const log = (...a) => console.error('[bench]', ...a);

if (!existsSync(PEER_NODE) || !existsSync(PEER_BENCH)) {
  console.error(
    `peers not found in ${PEERS}: install graphile-worker@0.18, pg-boss@12, node@24 there with the anchor ` +
      `benchmark's setup script (it copies peer-bench.mjs beside them), or set PEERS_DIR to its folder`,
  );
  process.exit(1);
}

/** Runs one case as a child process; its JSON lines on stdout are the result. */
function runCase({ node, script, argv = [], env = {} }) {
  return new Promise((resolve) => {
    const child = spawn(node, [script, ...argv], {
      cwd: ROOT,
      env: {
        ...process.env,
        N: String(N),
        CONCURRENCY: String(C),
        LAT_N: String(LAT_N),
        DATABASE_URL,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    // A case that hangs (a peer that stops fetching) must not stall the whole run.
    const timer = setTimeout(() => {
      err += `\ntimed out after ${CASE_TIMEOUT_S} s`;
      child.kill('SIGKILL');
    }, CASE_TIMEOUT_S * 1000);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      resolve(
        code === 0 && lines.length > 0
          ? { ok: true, lines }
          : { ok: false, code, error: err.trim().split('\n').slice(-5).join('\n') },
      );
    });
  });
}

const here = process.execPath;
const aq = (script) => join(ROOT, 'bench', script);
const peer = (which, mode, env = {}) => ({ node: PEER_NODE, script: PEER_BENCH, argv: [which, mode], env });
const q = quick ? ['--quick'] : [];
// claimBatch with this limit and completeBatch, 10 loops (bench/throughput.mjs batch).
const aqBatch = (backend, batch) => ({
  node: PEER_NODE,
  script: aq('throughput.mjs'),
  argv: [backend, 'batch'],
  env: { BATCH: String(batch) },
});
// Group → cases, run in this order; peers and agent-queue alternate inside a group.
const GROUPS = {
  tp: {
    'agent-queue postgres': {
      node: PEER_NODE,
      script: aq('throughput.mjs'),
      argv: ['postgres', 'throughput'],
    },
    'graphile-worker': peer('graphile', 'throughput'),
    'agent-queue sqlite (node:sqlite)': {
      node: PEER_NODE,
      script: aq('throughput.mjs'),
      argv: ['sqlite', 'throughput'],
    },
    'agent-queue sqlite (better-sqlite3)': {
      node: here,
      script: aq('throughput.mjs'),
      argv: ['sqlite', 'throughput'],
    },
  },
  pgbench: { pgbench: { node: here, script: aq('pgbench-ceiling.mjs'), argv: q } },
  batch: {
    'agent-queue postgres batch 20': aqBatch('postgres', 20),
    'graphile-worker batched': peer('graphile', 'throughput', { GW_BATCH: '1' }),
    'agent-queue postgres batch 100': aqBatch('postgres', 100),
    'pg-boss batch 20': peer('pgboss', 'throughput', { PGBOSS_BATCH: '20' }),
    'agent-queue sqlite batch 100': aqBatch('sqlite', 100),
  },
  latency: {
    'agent-queue postgres': { node: PEER_NODE, script: aq('throughput.mjs'), argv: ['postgres', 'latency'] },
    'graphile-worker': peer('graphile', 'latency'),
    'agent-queue sqlite (same process)': {
      node: PEER_NODE,
      script: aq('throughput.mjs'),
      argv: ['sqlite', 'latency'],
    },
    'pg-boss': peer('pgboss', 'latency'),
    'wake-up (sqlite cross-process, postgres)': {
      node: here,
      script: aq('wakeup-latency.mjs'),
      argv: [String(LAT_N)],
    },
  },
  scale: {
    postgres: { node: here, script: aq('scale.mjs'), argv: ['postgres', ...q] },
    sqlite: { node: here, script: aq('scale.mjs'), argv: ['sqlite', ...q] },
  },
  mcp: {
    'round trip sqlite': {
      node: here,
      script: aq('mcp-roundtrip.mjs'),
      argv: ['sqlite', quick ? '50' : '300'],
    },
    'round trip postgres': {
      node: here,
      script: aq('mcp-roundtrip.mjs'),
      argv: ['postgres', quick ? '50' : '300'],
    },
    'sessions sqlite': { node: here, script: aq('mcp-sessions.mjs'), argv: ['sqlite', ...q] },
    'sessions postgres': { node: here, script: aq('mcp-sessions.mjs'), argv: ['postgres', ...q] },
  },
  rest: {
    sqlite: { node: here, script: aq('rest-roundtrip.mjs'), argv: ['sqlite', '10', quick ? '20' : '100'] },
    postgres: {
      node: here,
      script: aq('rest-roundtrip.mjs'),
      argv: ['postgres', '10', quick ? '20' : '100'],
    },
  },
  cancel: { both: { node: here, script: aq('worker-cancel.mjs'), argv: [quick ? '5' : '20', 'both'] } },
  cold: { stdio: { node: here, script: aq('cold-start.mjs'), argv: [quick ? '5' : '15'] } },
};

log('building');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });

const version = (cmd, argv) => {
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const pkgVersion = (name) => {
  try {
    return JSON.parse(readFileSync(join(PEERS, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
};
const started = new Date();
const report = {
  date: started.toISOString(),
  quick,
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? null,
    memGiB: Math.round(totalmem() / 2 ** 30),
    os: version('uname', ['-sr']),
  },
  versions: {
    project_node: process.version,
    peers_node: version(PEER_NODE, ['--version']),
    postgres: version('psql', [DATABASE_URL, '-Atc', 'show server_version']),
    'graphile-worker': pkgVersion('graphile-worker'),
    'pg-boss': pkgVersion('pg-boss'),
    commit: version('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
  },
  settings: { N, C, LAT_N },
  cases: {},
};
for (const [group, cases] of Object.entries(GROUPS)) {
  if (only && !only.includes(group)) continue;
  report.cases[group] = {};
  for (const [name, c] of Object.entries(cases)) {
    log(`${group}: ${name}`);
    const r = await runCase(c);
    report.cases[group][name] = {
      node: c.node === PEER_NODE ? report.versions.peers_node : process.version,
      ...r,
    };
    log(r.ok ? JSON.stringify(r.lines) : `FAILED: ${r.error}`);
  }
}
report.seconds = Math.round((Date.now() - started.getTime()) / 1000);

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, '-');
const file = join(ROOT, 'bench', 'results', `${stamp}${quick ? '-quick' : ''}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
const markdown = renderReport(report);
console.log(markdown);
log(`wrote ${file}`);
if (!quick && !only) {
  const readme = join(ROOT, 'bench', 'README.md');
  const text = readFileSync(readme, 'utf8');
  const [begin, end] = ['<!-- bench:run:begin -->', '<!-- bench:run:end -->'];
  if (!text.includes(begin)) throw new Error(`${readme} has no ${begin} marker`);
  const next = `${text.slice(0, text.indexOf(begin) + begin.length)}\n\n${markdown}\n${text.slice(text.indexOf(end))}`;
  writeFileSync(readme, next);
  execFileSync('npx', ['prettier', '--write', readme], { cwd: ROOT, stdio: 'ignore' });
  log(`updated ${readme}`);
}
