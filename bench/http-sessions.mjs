// Memory of `agent-queue serve` holding many Streamable HTTP sessions that are initialized and never
// deleted (clients that just go away): VmRSS after start, after one session, after N sessions, and
// the heap still in use after a forced GC (what sessions hold; VmRSS also counts garbage V8 has not
// collected or returned yet); then how many of the N still answer a ping (the rest hit the cap).
// Run after `npm run build`: node bench/http-sessions.mjs [sessions] [max-sessions]
// Without max-sessions the server's default cap applies. AGENT_QUEUE_BENCH_BIN=<other checkout>/
// bin/agent-queue.js measures another build (leave out max-sessions if it has no such flag).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN as OWN_BIN, throwawayDatabase } from './lib.mjs';

const BIN = process.env.AGENT_QUEUE_BENCH_BIN ?? OWN_BIN;
const sessions = Number(process.argv[2] ?? 1000);
const maxSessions = process.argv[3];
const PARALLEL = 8;

/** VmRSS of a live process in MiB (Linux /proc). */
function rssMib(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function openSession(url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    }),
  });
  await res.text();
  const id = res.headers.get('mcp-session-id');
  if (res.status !== 200 || !id) throw new Error(`initialize answered ${res.status}`);
  const headers = { ...HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' };
  const ack = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await ack.text();
  return headers;
}

async function alive(url, headers) {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  });
  await res.text();
  return res.status === 200;
}

const db = await throwawayDatabase('sqlite');
// SIGUSR2 makes the server collect garbage and print its heap: what the sessions still hold,
// apart from memory V8 has not given back to the system yet.
const GC_ON_SIGNAL =
  "process.on('SIGUSR2',()=>{gc();gc();process.stderr.write('HEAP '+process.memoryUsage().heapUsed+'\\n')})";
const args = [
  '--expose-gc',
  '--import',
  `data:text/javascript,${encodeURIComponent(GC_ON_SIGNAL)}`,
  BIN,
  'serve',
  '--port',
  '0',
  ...(maxSessions ? ['--max-sessions', maxSessions] : []),
];
const child = spawn(process.execPath, args, {
  env: { ...process.env, ...db.env, AGENT_QUEUE_LOG_LEVEL: 'info' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
try {
  let err = '';
  const port = await new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      err += c.toString('utf8');
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
  });
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  /** Heap in use after a full collection, in MiB. */
  const heapMib = async () => {
    const seen = (err.match(/HEAP \d+/g) ?? []).length;
    child.kill('SIGUSR2');
    while ((err.match(/HEAP \d+/g) ?? []).length === seen) await new Promise((r) => setTimeout(r, 20));
    return (
      Number(
        err
          .match(/HEAP (\d+)/g)
          .at(-1)
          .slice(5),
      ) /
      1024 /
      1024
    );
  };
  await settle();
  const atStart = rssMib(child.pid);
  const all = [await openSession(url)];
  await settle();
  const afterOne = rssMib(child.pid);
  const heapOne = await heapMib();
  for (let i = 1; i < sessions; i += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, sessions - i) }, () => openSession(url));
    all.push(...(await Promise.all(batch)));
  }
  await settle();
  const afterAll = rssMib(child.pid);
  const heapAll = await heapMib();
  const afterGc = rssMib(child.pid);
  let answering = 0;
  for (const headers of all) if (await alive(url, headers)) answering++;
  const closedForCap = err.split('\n').filter((l) => l.includes('closed the session idle longest')).length;
  console.log(
    `serve ${maxSessions ? `--max-sessions ${maxSessions}` : '(default cap)'}, ${sessions} sessions never deleted:`,
  );
  console.log(`  VmRSS at start        ${atStart.toFixed(1)} MiB`);
  console.log(`  VmRSS after 1 session ${afterOne.toFixed(1)} MiB (heap after GC ${heapOne.toFixed(1)} MiB)`);
  console.log(
    `  VmRSS after ${sessions}      ${afterAll.toFixed(1)} MiB (heap after GC ${heapAll.toFixed(1)} MiB, VmRSS then ${afterGc.toFixed(1)} MiB)`,
  );
  console.log(`  sessions still answering ${answering}; closed for the cap (logged) ${closedForCap}`);
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await db.drop();
}
