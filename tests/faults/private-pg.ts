// Gives a fault test file one private PostgreSQL (and optionally a proxy in front of it) for all its
// tests, torn down however the tests end. Without PostgreSQL's server binaries the file is skipped
// loudly, and in CI that is a failure.
import { afterAll, beforeAll } from 'vitest';
import { findPgBinDir, PgInstance } from './pg-instance.js';
import { TcpProxy } from './tcp-proxy.js';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export const PG_BINARIES = findPgBinDir();
if (!PG_BINARIES && IN_CI) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are required in CI');
if (!PG_BINARIES) {
  console.warn('\n!!! PostgreSQL server binaries not found: POSTGRESQL FAULT SCENARIOS ARE SKIPPED !!!\n');
}

export interface PrivatePg {
  pgi: PgInstance;
  proxy: TcpProxy;
}

/** Starts the instance (and a proxy to it) before the file's tests; stops and deletes it after. */
export function usePrivatePostgres(): PrivatePg {
  const env = {} as PrivatePg;
  beforeAll(async () => {
    env.pgi = await PgInstance.create();
    await env.pgi.start();
    env.proxy = await TcpProxy.start(env.pgi.port);
  });
  afterAll(async () => {
    await env.proxy?.close();
    await env.pgi?.close();
  });
  return env;
}
