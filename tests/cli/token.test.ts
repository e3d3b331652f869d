// `agent-queue token create|list|revoke` as real processes on both backends: the secret is printed
// once and only its sha256 reaches the database; list never shows either; revoke stops verification.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli } from '../helpers/cli.js';
import { queryRows } from '../helpers/sql.js';
import type { TokenView } from '../../src/queue/tokens.js';

describe.each(backendsForSuite())('cli token ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });

  it('creates a token, stores only its hash, lists it without secrets, revokes it', async () => {
    const created = await cliJson<TokenView & { token: string }>(env, [
      '--json',
      'token',
      'create',
      '--role',
      'worker',
      '--name',
      'gpu-box-1',
      '--types',
      'build,test',
      '--capabilities',
      'gpu',
    ]);
    expect(created).toMatchObject({
      name: 'gpu-box-1',
      role: 'worker',
      allowedTypes: ['build', 'test'],
      allowedCapabilities: ['gpu'],
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(created.token).toMatch(/^aq_[A-Za-z0-9_-]{43}$/);

    // The database holds the sha256 of the secret, and the secret nowhere.
    const rows = await queryRows(q.db, 'select * from agent_tokens');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(await q.service.tokens.verify(created.token)).toMatchObject({ name: 'gpu-box-1', role: 'worker' });

    // Human output: the token once, and how to send it.
    const human = await runCli(env, ['token', 'create', '--role', 'producer', '--name', 'ci']);
    expect(human.code).toBe(0);
    const secret = /^ {2}(aq_\S+)$/m.exec(human.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(human.stdout).toContain(`Authorization: Bearer ${secret}`);
    expect(human.stdout).toContain('"headers":{"Authorization":"Bearer ');

    const listed = await runCli(env, ['--json', 'token', 'list']);
    expect(listed.code).toBe(0);
    const { tokens } = JSON.parse(listed.stdout) as { tokens: TokenView[] };
    expect(tokens.map((t) => [t.name, t.role])).toEqual([
      ['gpu-box-1', 'worker'],
      ['ci', 'producer'],
    ]);
    for (const leak of [created.token, secret!, String(rows[0]!.token_hash), 'hash']) {
      expect(listed.stdout).not.toContain(leak);
    }
    const table = await runCli(env, ['token', 'list']);
    expect(table.stdout).toMatch(/^NAME +ROLE +TYPES +CAPABILITIES +CREATED +LAST USED +REVOKED$/m);
    expect(table.stdout).toMatch(/^gpu-box-1 +worker +build,test +gpu /m);

    const revoked = await runCli(env, ['token', 'revoke', 'gpu-box-1']);
    expect(revoked).toMatchObject({ code: 0, stdout: 'revoked token "gpu-box-1"' });
    // A fresh process (this one's service may still trust its cached verification for a few seconds).
    expect(await q.connect().tokens.verify(created.token)).toBeNull();
    const again = await runCli(env, ['token', 'revoke', 'gpu-box-1']);
    expect(again.stdout).toMatch(/^token "gpu-box-1" was already revoked/);
    const after = await cliJson<{ tokens: TokenView[] }>(env, ['--json', 'token', 'list']);
    expect(after.tokens.find((t) => t.name === 'gpu-box-1')?.revokedAt).not.toBeNull();
  });

  it('refuses a taken name, limits on a non-worker token, a bad role and an unknown name', async () => {
    await cliJson(env, ['--json', 'token', 'create', '--role', 'operator', '--name', 'admin']);
    const taken = await runCli(env, ['token', 'create', '--role', 'operator', '--name', 'admin']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^error \[invalid_argument\]: A token named "admin" already exists/);
    const scoped = await runCli(env, [
      'token',
      'create',
      '--role',
      'producer',
      '--name',
      'p',
      '--types',
      'a',
    ]);
    expect(scoped.stderr).toMatch(/only worker tokens take them/);
    const role = await runCli(env, ['token', 'create', '--role', 'root', '--name', 'r']);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/--role.*root.*producer, worker, operator/s);
    const name = await runCli(env, ['token', 'create', '--role', 'worker', '--name', 'has space']);
    expect(name.stderr).toMatch(/^error \[invalid_argument\]: Token name "has space" is not allowed/);
    const unknown = await runCli(env, ['token', 'revoke', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error \[not_found\]: No token is named "nobody"/);
    expect(await q.store.tokenList()).toHaveLength(1);
  });
});
