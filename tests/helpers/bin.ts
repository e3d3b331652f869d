// The built CLI as a child process: where its launcher is, that it has been built, and the
// environment a child (the CLI, a server, a fixture script) runs in against a test database.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** bin/agent-queue.js, the launcher of the bundled build (dist/bundle/main.js). */
export const BIN = fileURLToPath(new URL('../../bin/agent-queue.js', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));

/** Fails with the fix when dist/ has not been built (tests that spawn our code run the built code). */
export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does it).');
}

/** The parent's environment without its queue settings, plus `env` (e.g. TestDb.env). */
export function cliEnv(env: Record<string, string>): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k !== 'DATABASE_URL' && !k.startsWith('AGENT_QUEUE_')) base[k] = v;
  }
  return { ...base, ...env };
}
