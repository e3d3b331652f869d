// Cold start of the stdio MCP server as a host sees it: spawn `node bin/agent-queue.js mcp` on a
// fresh SQLite file, time until the first `tools/list` answer, then the resident memory after idling.
// Run after `npm run build`: node bench/cold-start.mjs [runs] [idle-ms]
// AGENT_QUEUE_BENCH_BIN=<path to another checkout's bin/agent-queue.js> measures that build instead.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN as OWN_BIN } from './lib.mjs';

const BIN = process.env.AGENT_QUEUE_BENCH_BIN ?? OWN_BIN;

const runs = Number(process.argv[2] ?? 15);
const idleMs = Number(process.argv[3] ?? 2000);

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** VmRSS of a live process in MB (Linux /proc). */
function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** CPU time (user + system) a live process has used so far, in ms: steadier than wall time on a busy machine. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in 1/100 s ticks
}

async function once() {
  const dir = mkdtempSync(join(tmpdir(), 'agent-queue-cold-'));
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'mcp'], {
    env: { ...process.env, DATABASE_URL: `sqlite://${join(dir, 'queue.db')}`, AGENT_QUEUE_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Raw newline-delimited JSON-RPC, as a host writes it: initialize, initialized, tools/list at once.
  const send = (msg) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
  const toolsListed = new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const msg = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (msg.id === 2) resolve(msg);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before answering tools/list`)));
  });
  send({
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'cold-start', version: '1' },
    },
  });
  send({ method: 'notifications/initialized' });
  send({ id: 2, method: 'tools/list', params: {} });
  const answer = await toolsListed;
  const ms = performance.now() - started;
  const cpu = cpuMs(child.pid);
  if (!answer.result?.tools?.length) throw new Error(`tools/list failed: ${JSON.stringify(answer)}`);
  await new Promise((r) => setTimeout(r, idleMs));
  const rss = rssMb(child.pid);
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin.end();
  await exited;
  rmSync(dir, { recursive: true, force: true });
  return { ms, cpu, rss };
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await once());
const ms = results.map((r) => r.ms).sort((a, b) => a - b);
const cpu = results.map((r) => r.cpu).sort((a, b) => a - b);
const rss = results.map((r) => r.rss).sort((a, b) => a - b);
const f = (n) => n.toFixed(0);
console.log(
  `cold start to tools/list over ${runs} runs: median ${f(percentile(ms, 50))} ms, p90 ${f(percentile(ms, 90))} ms ` +
    `(CPU ${f(percentile(cpu, 50))} ms median); ` +
    `RSS after ${idleMs} ms idle: median ${f(percentile(rss, 50))} MB, max ${f(rss.at(-1))} MB (node ${process.version})`,
);
// The same as one JSON line, for the bench runner.
console.log(
  JSON.stringify({
    case: 'cold_start',
    runs,
    node: process.version,
    p50_ms: Math.round(percentile(ms, 50)),
    p90_ms: Math.round(percentile(ms, 90)),
    cpu_p50_ms: Math.round(percentile(cpu, 50)),
    idle_rss_mb: Math.round(percentile(rss, 50)),
  }),
);
