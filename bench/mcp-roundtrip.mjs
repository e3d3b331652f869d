// Round trip of queue_claim + queue_complete over stdio through the SDK client, as an agent sees it.
// Run after `npm run build`: node bench/mcp-roundtrip.mjs [sqlite|postgres] [iterations]
import { connect, throwawayDatabase } from './lib.mjs';

const kind = process.argv[2] ?? 'sqlite';
const iterations = Number(process.argv[3] ?? 300);
const WARMUP = 20;

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const parse = (answer) => JSON.parse(answer.content[0].text);

const db = await throwawayDatabase(kind);
const client = await connect(db.env);
try {
  for (let i = 0; i < iterations + WARMUP; i++) {
    await client.callTool({ name: 'queue_enqueue', arguments: { type: 'bench', payload: { i } } });
  }
  const times = [];
  for (let i = 0; i < iterations + WARMUP; i++) {
    const started = performance.now();
    const claim = parse(await client.callTool({ name: 'queue_claim', arguments: {} }));
    if (claim.action !== 'work') throw new Error(`expected a job, got ${JSON.stringify(claim)}`);
    const done = await client.callTool({
      name: 'queue_complete',
      arguments: { jobId: claim.job.id, leaseToken: claim.lease.token },
    });
    if (done.isError) throw new Error(done.content[0].text);
    if (i >= WARMUP) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const ms = (v) => Math.round(v * 100) / 100;
  const summary = {
    backend: kind,
    iterations,
    p50: ms(percentile(times, 50)),
    p99: ms(percentile(times, 99)),
    mean: ms(times.reduce((a, b) => a + b, 0) / times.length),
    max: ms(times[times.length - 1]),
  };
  console.log(JSON.stringify(summary));
} finally {
  await client.close();
  await db.drop();
}
