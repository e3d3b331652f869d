// A private PostgreSQL for the fault suite: initdb into a temp dir, pg_ctl on a free loopback port.
// Scenarios stop, restart and kill it at will, so it must never be the shared server the other
// tests use. As root the server binaries run as the `postgres` OS user (PostgreSQL refuses root).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { openStore } from '../../src/store/open.js';
import type { Backend } from '../helpers/backends.js';

/** The extra role that must log in with a password (scram), for the wrong-password scenarios. */
export const PASSWORD_ROLE = { user: 'aq', password: 'aq-secret' } as const;

// Every pg_ctl call is bounded: a server that does not come up or go down fails the test, not the run.
const PG_CTL_WAIT_SECONDS = 30;
const COMMAND_TIMEOUT_MS = (PG_CTL_WAIT_SECONDS + 10) * 1_000;

export type StopMode = 'smart' | 'fast' | 'immediate';

/** Where initdb, pg_ctl and postgres live, or null when PostgreSQL's server binaries are missing. */
export function findPgBinDir(): string | null {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config on PATH: fall back to the Debian layout
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export class PgInstance {
  private readonly data: string;
  private readonly logFile: string;
  private running = false;
  private roleReady = false;
  private readonly onExit = () => this.killSync();

  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {
    this.data = join(dir, 'data');
    this.logFile = join(dir, 'postgres.log');
    // A crashed or interrupted test run must not leave a postmaster behind.
    process.once('exit', this.onExit);
  }

  /** initdb + configuration; the server is not started yet. */
  static async create(): Promise<PgInstance> {
    const bin = findPgBinDir();
    if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found');
    const dir = mkdtempSync(join(tmpdir(), 'agent-queue-pgfaults-'));
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const { uid, gid } = postgresUser();
      chownSync(dir, uid, gid);
    }
    const instance = new PgInstance(bin, dir, await freePort());
    try {
      await instance.run('initdb', [
        '-D',
        instance.data,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-sync',
        '--locale=C',
        '--encoding=UTF8',
      ]);
      instance.configure();
    } catch (err) {
      await instance.close();
      throw err;
    }
    return instance;
  }

  private configure(): void {
    appendFileSync(
      join(this.data, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${this.port}`,
        // Its own socket folder: never touch the shared server's /var/run/postgresql.
        `unix_socket_directories = '${this.dir}'`,
        'max_connections = 80',
        'shared_buffers = 16MB',
        // fsync off is safe here: the faults restart PostgreSQL, never the machine, so what reached
        // the OS survives. synchronous_commit must stay on: with it off, an immediate restart (a
        // crash to PostgreSQL) loses commits it had already acknowledged, e.g. a claim whose answer
        // and lease token a worker already holds, which production never does.
        'fsync = off',
        'synchronous_commit = on',
        'full_page_writes = off',
        `password_encryption = 'scram-sha-256'`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(this.data, 'pg_hba.conf'),
      [
        'local all postgres trust',
        'host all postgres 127.0.0.1/32 trust',
        // Every other role must log in with its password.
        'host all all 127.0.0.1/32 scram-sha-256',
        '',
      ].join('\n'),
    );
  }

  /** Runs a server binary, as the postgres OS user when we are root. */
  private async run(tool: string, args: string[]): Promise<string> {
    const path = join(this.bin, tool);
    const [file, argv] =
      process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    const r = await execa(file, argv, {
      reject: false,
      timeout: COMMAND_TIMEOUT_MS,
      stdin: 'ignore',
      // pg_ctl's started postmaster keeps inherited pipes open: its output goes to the log file instead.
      env: { LC_ALL: 'C' },
    });
    if (r.exitCode !== 0 || r.timedOut) {
      throw new Error(
        `${tool} ${args.join(' ')} failed (${r.exitCode}): ${r.stderr || r.stdout}\n${this.logTail()}`,
      );
    }
    return r.stdout;
  }

  private logTail(): string {
    const r = spawnSync('tail', ['-n', '20', this.logFile], { encoding: 'utf8' });
    return r.stdout ? `postgres.log:\n${r.stdout}` : '';
  }

  private pgCtl(action: string, extra: string[] = []): Promise<string> {
    return this.run('pg_ctl', [
      action,
      '-D',
      this.data,
      '-l',
      this.logFile,
      '-w',
      '-t',
      String(PG_CTL_WAIT_SECONDS),
      ...extra,
    ]);
  }

  async start(): Promise<void> {
    await this.pgCtl('start');
    this.running = true;
    if (!this.roleReady) await this.createPasswordRole();
  }

  private async createPasswordRole(): Promise<void> {
    await this.admin(async (c) => {
      await c.query(`create role ${PASSWORD_ROLE.user} login password '${PASSWORD_ROLE.password}'`);
    });
    this.roleReady = true;
  }

  async stop(opts: { mode?: StopMode } = {}): Promise<void> {
    await this.pgCtl('stop', ['-m', opts.mode ?? 'fast']);
    this.running = false;
  }

  /** pg_ctl restart: every session is cut (fast: terminated; immediate: killed, crash recovery on start). */
  async restart(opts: { mode: 'fast' | 'immediate' }): Promise<void> {
    await this.pgCtl('restart', ['-m', opts.mode]);
    this.running = true;
  }

  /** pg_terminate_backend on every other client session, from a separate admin connection; returns how many. */
  async terminateBackends(): Promise<number> {
    return this.admin(async (c) => {
      const r = await c.query<{ n: number }>(
        `select count(*)::int as n from (
           select pg_terminate_backend(pid) from pg_stat_activity
           where pid <> pg_backend_pid() and backend_type = 'client backend') t`,
      );
      return r.rows[0]?.n ?? 0;
    });
  }

  /** Creates a database (in the running instance) the postgres role owns and the password role may use. */
  async createDatabase(name: string): Promise<void> {
    await this.admin(async (c) => {
      await c.query(`create database ${name}`);
      await c.query(`grant all on database ${name} to ${PASSWORD_ROLE.user}`);
    });
  }

  /**
   * A connection URL on this instance (the password role gets its password unless one is given);
   * `port` points it elsewhere, e.g. at a proxy in front of the instance.
   */
  url(user = 'postgres', db = 'postgres', opts: { password?: string; port?: number } = {}): string {
    const pass = opts.password ?? (user === PASSWORD_ROLE.user ? PASSWORD_ROLE.password : undefined);
    const auth = pass === undefined ? user : `${user}:${encodeURIComponent(pass)}`;
    return `postgres://${auth}@127.0.0.1:${opts.port ?? this.port}/${db}`;
  }

  /**
   * A test backend on this instance (for McpHarness and the helpers): each create() is a fresh
   * database. Servers get `DATABASE_URL` through `port` when given; the test's own connections go direct.
   */
  backend(opts: { port?: number } = {}): Backend {
    return {
      name: 'postgres',
      available: true,
      create: async () => {
        const name = `t_${randomBytes(6).toString('hex')}`;
        await this.createDatabase(name);
        const target = { kind: 'postgres', url: this.url('postgres', name) } as const;
        return {
          target,
          env: { DATABASE_URL: this.url('postgres', name, { ...(opts.port ? { port: opts.port } : {}) }) },
          open: () => openStore(target),
          // A stopped instance keeps it until close() deletes everything.
          drop: async () => {
            if (!this.running) return;
            await this.admin((c) => c.query(`drop database if exists ${name} with (force)`)).catch(() => {});
          },
        };
      },
    };
  }

  private async admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 5_000 });
    c.on('error', () => {});
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** Stops the server (immediate: nothing to keep) and deletes its files. */
  async close(): Promise<void> {
    process.off('exit', this.onExit);
    // By its pid file, not by `running`: a restart that failed half-way may have left it up.
    if (this.postmasterUp()) await this.stop({ mode: 'immediate' }).catch(() => this.killSync());
    rmSync(this.dir, { recursive: true, force: true });
  }

  private postmasterUp(): boolean {
    return existsSync(join(this.data, 'postmaster.pid'));
  }

  /** Last resort on process exit: synchronous, because nothing async runs any more. */
  private killSync(): void {
    if (!this.postmasterUp()) return;
    const ctl = join(this.bin, 'pg_ctl');
    const args = ['stop', '-D', this.data, '-m', 'immediate', '-w', '-t', '10'];
    const [file, argv] =
      process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ctl, ...args]] : [ctl, args];
    spawnSync(file, argv, { stdio: 'ignore', timeout: 15_000 });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
