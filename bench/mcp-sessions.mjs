// Jobs per second through MCP with many agents at once: S stdio servers (one per session, as S
// agents' hosts would spawn them) on one shared database drain N jobs, each session looping
// queue_claim + queue_complete until nothing is left. Checks every job was completed exactly once.
// Run after `npm run build`: node bench/mcp-sessions.mjs [sqlite|postgres] [--sessions 10] [--quick]
import { connect, throwawayDatabase } from './lib.mjs';

const args = process.argv.slice(2);
const kind = args.find((a) => a === 'sqlite' || a === 'postgres') ?? 'sqlite';
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const quick = args.includes('--quick');
const SESSIONS = flag('--sessions', 10);
const N = flag('--jobs', quick ? 200 : 2000);

const parse = (answer) => JSON.parse(answer.content[0].text);
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

const db = await throwawayDatabase(kind);
const clients = [];
try {
  for (let s = 0; s < SESSIONS; s++) clients.push(await connect(db.env));
  // Enqueued through the sessions themselves, S at a time, before the clock starts.
  for (let i = 0; i < N; i += SESSIONS) {
    await Promise.all(
      clients
        .slice(0, Math.min(SESSIONS, N - i))
        .map((c, k) =>
          c.callTool({ name: 'queue_enqueue', arguments: { type: 'bench', payload: { i: i + k } } }),
        ),
    );
  }
  const completed = [];
  const times = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (;;) {
        const t0 = performance.now();
        const claim = parse(await client.callTool({ name: 'queue_claim', arguments: {} }));
        if (claim.action !== 'work') return;
        const done = await client.callTool({
          name: 'queue_complete',
          arguments: { jobId: claim.job.id, leaseToken: claim.lease.token },
        });
        if (done.isError) throw new Error(done.content[0].text);
        completed.push(claim.job.id);
        times.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (completed.length !== N || new Set(completed).size !== N) {
    throw new Error(`completed ${completed.length} (${new Set(completed).size} distinct) of ${N} jobs`);
  }
  times.sort((a, b) => a - b);
  const ms = (v) => Math.round(v * 100) / 100;
  console.log(
    JSON.stringify({
      case: 'mcp_sessions',
      backend: kind,
      sessions: SESSIONS,
      N,
      jobs_per_s: Math.round(N / seconds),
      p50_ms: ms(percentile(times, 50)),
      p99_ms: ms(percentile(times, 99)),
    }),
  );
} finally {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await db.drop();
}
