// `npm run pack:check`: what a user gets from `npm install agent-queue`, before it is published.
// Packs this checkout, installs the tarball into an empty folder (dependencies from the registry,
// as npx would), starts the INSTALLED bin as a stdio MCP server with the SDK client, lists its
// tools and runs one enqueue + claim on a throwaway SQLite file; then, at the DEFAULT log level
// (the first line written loads the bundled pino), closes a stdio server and requires exit 0, and
// starts `serve` on a free port, reads the dashboard URL it prints, asks /healthz, / and one
// dashboard script, and stops it. Exit 1 on any failure; CI runs it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'agent-queue-pack-'));
const npm = (args, cwd) =>
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim();
const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1);
const parse = (answer) => {
  if (answer.isError) throw new Error(answer.content[0].text);
  return JSON.parse(answer.content[0].text);
};

async function check() {
  const packDir = join(work, 'pack');
  const appDir = join(work, 'app');
  mkdirSync(packDir);
  npm(['pack', '--silent', '--pack-destination', packDir], root);
  const tarball = join(
    packDir,
    readdirSync(packDir).find((f) => f.endsWith('.tgz')),
  );
  console.log(`pack-check: packed ${tarball}`);

  mkdirSync(appDir);
  writeFileSync(join(appDir, 'package.json'), '{"name":"pack-check-app","private":true}\n');
  // better-sqlite3 is an optional peer: npm does not install it. On a Node without a complete
  // node:sqlite the user installs it beside agent-queue, as the README says; so does this check.
  // Looking node:sqlite up makes Node 22 warn that it is experimental; that warning is this
  // script's, not the installed bin's (which silences it), so keep it out of the log.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  const builtin = process.getBuiltinModule?.('node:sqlite');
  process.emitWarning = emitWarning;
  const hasNodeSqlite = typeof builtin?.StatementSync?.prototype?.columns === 'function';
  const packages = hasNodeSqlite ? [tarball] : [tarball, 'better-sqlite3'];
  console.log(`pack-check: SQLite through ${hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3'}`);
  const installStarted = performance.now();
  npm(['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages], appDir);
  const installTime = seconds(installStarted);
  console.log(`pack-check: npm install of the tarball took ${installTime} s (node ${process.version})`);

  const bin = join(appDir, 'node_modules', '.bin', 'agent-queue');
  const client = new Client({ name: 'pack-check', version: '1' });
  const started = performance.now();
  await client.connect(
    new StdioClientTransport({
      command: bin,
      args: ['mcp'],
      env: {
        ...process.env,
        DATABASE_URL: `sqlite://${join(work, 'queue.db')}`,
        AGENT_QUEUE_LOG_LEVEL: 'warn',
      },
      stderr: 'inherit',
    }),
  );
  try {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const wanted of ['queue_enqueue', 'queue_claim', 'queue_complete']) {
      if (!names.includes(wanted)) throw new Error(`tools/list lacks ${wanted}: ${names.join(', ')}`);
    }
    console.log(`pack-check: tools/list answered ${tools.length} tools ${seconds(started)} s after spawn`);
    const { job } = parse(
      await client.callTool({ name: 'queue_enqueue', arguments: { type: 'pack.check' } }),
    );
    const claim = parse(await client.callTool({ name: 'queue_claim', arguments: {} }));
    if (claim.job?.id !== job.id) throw new Error(`claimed ${JSON.stringify(claim)}, expected job ${job.id}`);
    parse(
      await client.callTool({
        name: 'queue_complete',
        arguments: { jobId: job.id, leaseToken: claim.lease.token },
      }),
    );
    console.log(`pack-check: ok (enqueue, claim, complete on SQLite through the installed bin)`);
  } finally {
    await client.close();
  }
  await checkStdioExit(bin);
  await checkServe(bin);
}

// The installed bin at the default log level, its environment without AGENT_QUEUE_LOG_LEVEL.
function startBin(bin, args) {
  const env = { ...process.env, DATABASE_URL: `sqlite://${join(work, 'queue.db')}` };
  delete env.AGENT_QUEUE_LOG_LEVEL;
  const child = spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent-queue ${args[0]} did not exit within 20 s; stderr:\n${stderr}`));
    }, 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && !stderr.includes('Cannot find module')) resolve(stderr);
      else reject(new Error(`agent-queue ${args[0]} exited ${code ?? signal}; stderr:\n${stderr}`));
    });
  });
  exited.catch(() => {}); // awaited by the caller; a failure before then is not unhandled
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

async function checkStdioExit(bin) {
  const { child, exited } = startBin(bin, ['mcp']);
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'pack-check', version: '1' },
    },
  };
  child.stdin.write(`${JSON.stringify(initialize)}\n`);
  // Its answer, or its exit: a bin that dies at load must fail here with its stderr, not leave
  // this script waiting on nothing (Node would exit 13 without running the cleanup).
  await Promise.race([
    new Promise((resolve) => child.stdout.once('data', resolve)),
    exited.then(() => {
      throw new Error('agent-queue mcp exited before answering initialize');
    }),
  ]);
  child.stdin.end(); // closing stdin is how an MCP host stops a stdio server
  const stderr = await exited;
  if (!stderr.includes('shutting down')) throw new Error(`stdio server logged no shutdown line:\n${stderr}`);
  console.log('pack-check: ok (stdio server at the default log level exited 0 when stdin closed)');
}

async function checkServe(bin) {
  const server = startBin(bin, ['serve', '--port', '0']);
  const port = await new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /"port":(\d+)/.exec(server.stderr());
      if (match) {
        clearInterval(poll);
        resolve(Number(match[1]));
      }
    }, 50);
    const early = (err) => {
      clearInterval(poll);
      reject(err ?? new Error(`serve exited before listening:\n${server.stderr()}`));
    };
    server.exited.then(() => early(), early);
  });
  try {
    const health = await globalThis.fetch(`http://127.0.0.1:${port}/healthz`);
    if (!health.ok) throw new Error(`/healthz answered ${health.status}: ${await health.text()}`);
    // The dashboard ships as files beside dist/bundle: the page and one of its scripts must load.
    const wanted = `agent-queue dashboard: http://127.0.0.1:${port}/`;
    const firstLine = server.stdout().split('\n')[0];
    if (firstLine !== wanted)
      throw new Error(
        `serve's first stdout line is ${JSON.stringify(firstLine)}, expected ${JSON.stringify(wanted)}`,
      );
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/dashboard/app.js', 'text/javascript'],
    ]) {
      const res = await globalThis.fetch(`http://127.0.0.1:${port}${path}`);
      const got = res.headers.get('content-type') ?? '';
      if (!res.ok || !got.startsWith(type)) {
        throw new Error(`GET ${path} answered ${res.status} ${got}: ${(await res.text()).slice(0, 200)}`);
      }
      if (!res.headers.get('content-security-policy'))
        throw new Error(`GET ${path} has no Content-Security-Policy`);
    }
  } finally {
    server.child.kill('SIGTERM');
  }
  await server.exited;
  console.log(
    `pack-check: ok (serve listened on port ${port}, printed the dashboard URL, /healthz, / and /dashboard/app.js answered, SIGTERM exit 0)`,
  );
}

try {
  await check();
} catch (err) {
  console.error(`pack-check: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
