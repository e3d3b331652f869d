// Dependencies from the CLI as a real subprocess on both backends: enqueue --depends-on, a graph
// from a JSON file (--graph), get --dependencies.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import type { DependencyView, Job } from '../../src/core/types.js';

describe.each(backendsForSuite())('cli dependencies ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;
  const dirs: ReturnType<typeof makeTempDir>[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });

  const claimAndComplete = async (result?: unknown) => {
    const { job, lease } = await q.service.claim({ workerId: 'w' });
    if (!job) return null;
    await q.service.complete({
      jobId: job.id,
      leaseToken: lease!.token,
      result,
      resultSummary: `${job.type} ok`,
    });
    return job;
  };

  it('enqueue --depends-on blocks the job until its dependencies succeeded', async () => {
    const { job: a } = await q.service.enqueue({ type: 'build' });
    const { job: b } = await q.service.enqueue({ type: 'lint' });
    const human = await runCli(env, ['enqueue', 'deploy', '--depends-on', `${a.id}, ${b.id}`]);
    expect(human.code, human.stderr).toBe(0);
    const id = /^(\S+)\s+enqueued deploy \(priority 0, waits for 2 dependencies\)$/m.exec(human.stdout)?.[1];
    expect(id, human.stdout).toBeDefined();

    expect((await claimAndComplete())?.id).toBe(a.id);
    expect((await claimAndComplete({ ok: true }))?.id).toBe(b.id);
    expect((await claimAndComplete())?.id).toBe(id);

    const shown = await runCli(env, ['get', id!, '--dependencies', '--events', '0']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(
      `dependencies\n  ${a.id}  build  succeeded  build ok\n  ${b.id}  lint  succeeded  lint ok`,
    );
  });

  it('enqueue --depends-on with an unknown id fails naming it, and enqueues nothing', async () => {
    const unknown = '01890000-0000-7000-8000-000000000000';
    const r = await runCli(env, ['enqueue', 'deploy', '--depends-on', unknown]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(unknown);
    expect((await q.service.list()).jobs).toEqual([]);
  });

  it('enqueue --graph FILE makes every job in one call; get --dependencies --json shows results', async () => {
    const dir = makeTempDir('cli-deps');
    dirs.push(dir);
    const file = join(dir.path, 'plan.json');
    writeFileSync(
      file,
      JSON.stringify({
        jobs: [
          { ref: 'implement', type: 'code.implement', payload: { issue: 7 } },
          { ref: 'test', type: 'code.test', dependsOn: ['implement'] },
          { ref: 'review', type: 'code.review', dependsOn: ['test'] },
        ],
      }),
    );
    const human = await runCli(env, ['enqueue', '--graph', file]);
    expect(human.code, human.stderr).toBe(0);
    expect(
      human.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\S+ {2}/, '')),
    ).toEqual([
      expect.stringMatching(/^implement: enqueued code\.implement \(runs at \d{4}-.*Z\)$/),
      'test: enqueued code.test (waits for 1 dependency)',
      'review: enqueued code.review (waits for 1 dependency)',
    ]);
    const ids = human.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]!);

    expect((await claimAndComplete({ diff: 'x' }))?.id).toBe(ids[0]);
    const { dependencies } = await cliJson<{ job: Job; dependencies: DependencyView[] }>(env, [
      '--json',
      'get',
      ids[1]!,
      '--dependencies',
    ]);
    expect(dependencies).toEqual([
      {
        id: ids[0],
        type: 'code.implement',
        status: 'succeeded',
        resultSummary: 'code.implement ok',
        result: { diff: 'x' },
      },
    ]);

    const mixed = await runCli(env, ['enqueue', 'x', '--graph', file]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('--graph takes every job from its file: remove the type argument');
  });
});
