// Round trip of a REST claim + complete (POST /api/queue/jobs/claim, POST …/{id}/complete) with
// N concurrent clients against a real `agent-queue serve` process, as remote workers would see it.
// Run after `npm run build`: node bench/rest-roundtrip.mjs [sqlite|postgres] [clients] [per-client]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { BIN, throwawayDatabase } from './lib.mjs';

const kind = process.argv[2] ?? 'sqlite';
const clients = Number(process.argv[3] ?? 10);
const perClient = Number(process.argv[4] ?? 100);
const WARMUP = 5;

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (v) => Math.round(v * 100) / 100;

const db = await throwawayDatabase(kind);
const server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
  env: { ...process.env, ...db.env, AGENT_QUEUE_LOG_LEVEL: 'info' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
try {
  // The first log line says where it listens.
  const port = await new Promise((resolve, reject) => {
    let buffered = '';
    server.stderr.on('data', (chunk) => {
      buffered += chunk;
      const m = /"port":(\d+)/.exec(buffered);
      if (m) resolve(Number(m[1]));
    });
    server.once('exit', (code) => reject(new Error(`serve exited (${code}): ${buffered}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const post = async (path, body) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  };

  const total = clients * (perClient + WARMUP);
  for (let i = 0; i < total; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, total - i) }, (_, k) =>
        post('/api/queue/jobs', { type: 'bench', payload: { i: i + k } }),
      ),
    );
  }

  const times = [];
  const worker = async (n) => {
    for (let i = 0; i < perClient + WARMUP; i++) {
      const started = performance.now();
      const claim = await post('/api/queue/jobs/claim', { workerId: `bench-${n}` });
      if (claim.action !== 'work') throw new Error(`expected a job, got ${JSON.stringify(claim)}`);
      await post(`/api/queue/jobs/${claim.job.id}/complete`, { leaseToken: claim.lease.token });
      if (i >= WARMUP) times.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, n) => worker(n)));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      backend: kind,
      clients,
      roundTrips: times.length,
      p50: ms(percentile(times, 50)),
      p99: ms(percentile(times, 99)),
      max: ms(times[times.length - 1]),
      roundTripsPerSecond: Math.round((clients * (perClient + WARMUP)) / seconds),
    }),
  );
} finally {
  server.kill('SIGTERM');
  await once(server, 'exit');
  await db.drop();
}
