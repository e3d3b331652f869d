// `agent-queue schedule add|list|remove` as real subprocesses, and a schedule ticking every second
// while three long-running processes (two `serve`, one local `worker`) are alive on the same
// database: every tick enqueues exactly one job, whichever process fired it.
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli, startCli, stopStartedClis } from '../helpers/cli.js';

describe.each(backendsForSuite())('cli schedule ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });
  afterEach(stopStartedClis);

  it('adds, lists (also as JSON) and removes schedules; bad input exits 1 with the reason', async () => {
    const added = await runCli(env, [
      'schedule',
      'add',
      'nightly',
      '--cron',
      '0 3 * * *',
      '--type',
      'code.audit',
      '--payload',
      '{"repo":"acme/api"}',
      '--queue',
      'acme-api',
      '--tz',
      'Europe/Berlin',
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(
      /^schedule "nightly": code\.audit at "0 3 \* \* \*" \(Europe\/Berlin\), next /,
    );
    const listed = await cliJson<{ schedules: Record<string, unknown>[] }>(env, [
      'schedule',
      'list',
      '--json',
    ]);
    expect(listed.schedules).toEqual([
      expect.objectContaining({
        name: 'nightly',
        cron: '0 3 * * *',
        timezone: 'Europe/Berlin',
        type: 'code.audit',
        payload: { repo: 'acme/api' },
        queue: 'acme-api',
      }),
    ]);
    expect((await runCli(env, ['schedule', 'list'])).stdout).toMatch(
      /^NAME\s+CRON.*\nnightly\s+0 3 \* \* \*/,
    );

    const taken = await runCli(env, [
      'schedule',
      'add',
      'nightly',
      '--cron',
      '0 4 * * *',
      '--type',
      'code.audit',
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/job_state_conflict.*--replace/);
    const bad = await runCli(env, ['schedule', 'add', 'x', '--cron', '0 25 * * *', '--type', 'code.audit']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid_argument.*cron "0 25 \* \* \*"/);

    expect((await runCli(env, ['schedule', 'remove', 'nightly'])).stdout).toBe('removed schedule "nightly"');
    const gone = await runCli(env, ['schedule', 'remove', 'nightly']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/not_found/);
    expect((await runCli(env, ['schedule', 'list'])).stdout).toBe('no schedules');
  });

  it('three live processes fire a per-second schedule once per tick', async () => {
    await q.service.scheduleAdd({ name: 'pulse', cron: '* * * * * *', type: 'sched.pulse' });
    const serveA = startCli(env, ['serve', '--port', '0']);
    const serveB = startCli(env, ['serve', '--port', '0']);
    // A local worker for another type: alive with its own background tick, taking none of these jobs.
    const worker = startCli(env, ['worker', '--types', 'sched.other', '--', 'true']);
    await Promise.all([serveA, serveB].map((p) => p.waitForStdout('agent-queue dashboard:')));
    await sleep(4_500);
    for (const p of [serveA, serveB, worker]) p.kill('SIGTERM');
    for (const p of [serveA, serveB, worker]) expect((await p.exited).code).not.toBe(null);

    const { jobs } = await q.service.list({ type: 'sched.pulse', limit: 200 });
    const fired = await Promise.all(
      jobs.map(async (j) => {
        const { events } = await q.service.events({ jobId: j.id, limit: 1 });
        const data = events[0]!.data as { tick: string; missedTicks: number };
        expect(j.dedupeKey).toBe(`schedule:pulse:${data.tick}`);
        return { tick: Date.parse(data.tick), missed: data.missedTicks };
      }),
    );
    fired.sort((a, b) => a.tick - b.tick);
    expect(fired.length).toBeGreaterThanOrEqual(3);
    // One job per tick. A tick no process reached in time (a loaded machine) is not lost silently:
    // the next job says how many it stands for, so the ticks add up.
    expect(new Set(fired.map((f) => f.tick)).size).toBe(fired.length);
    for (let i = 1; i < fired.length; i++) {
      expect(fired[i]!.tick - fired[i - 1]!.tick, `tick ${i}`).toBe((fired[i]!.missed + 1) * 1_000);
    }
  });
});
