// `agent-queue migrate` on a fresh database applies every migration and names each, then finds
// the schema current; `--json` prints the report.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { backendsForSuite, type TestDb } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli } from '../helpers/cli.js';

describe.each(backendsForSuite())('cli migrate ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('applies what is pending, once', async () => {
    db = await backend.create();
    const files = readdirSync(fileURLToPath(new URL(`../../migrations/${backend.name}/`, import.meta.url)));
    const latest = files.filter((f) => f.endsWith('.sql')).length;
    const first = await runCli(db.env, ['migrate']);
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(latest + 1);
    expect(lines[0]).toMatch(/^applied 0001_\w+$/);
    expect(lines.at(-1)).toBe(`schema is at version ${latest}`);
    const again = await runCli(db.env, ['migrate']);
    expect(again.stdout).toBe(`schema is current (version ${latest})`);
    expect(await cliJson(db.env, ['--json', 'migrate'])).toEqual({ applied: [], current: latest });
  });
});
