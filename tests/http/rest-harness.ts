// The REST API through the real HTTP server (createApp + @hono/node-server) on a random loopback
// port, in this process over a fresh test queue of either backend, so tests can await the queue's
// own idle signal (whenIdle) instead of sleeping.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp, type AppOptions, type HttpApp } from '../../src/http/app.js';
import type { QueueService } from '../../src/queue/service.js';
import { loadSettings } from '../../src/settings/index.js';
import { openTestQueue, type Backend, type TestQueue } from '../helpers/backends.js';
import { afterEach, beforeEach } from 'vitest';

export interface RestHarness {
  q: TestQueue;
  base: URL;
  http: HttpApp;
  /** Cuts every open connection (streams included) while the server keeps listening: a network drop. */
  dropConnections(): void;
  /** fetch relative to the server, JSON body in and out. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

export interface Answer {
  status: number;
  headers: Headers;
  // Tests read whatever shape the route answers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

const PAYLOAD_LIMIT = 256 * 1024;

export async function startRest(
  backend: Backend,
  q?: TestQueue,
  env: Record<string, string> = {},
): Promise<RestHarness & { close(): Promise<void> }> {
  const queue = q ?? (await openTestQueue(backend));
  const { base, http, server, close } = await listenRest(queue.service, env);
  const call: RestHarness['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(new URL(path, base), {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics): the text as is
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return {
    q: queue,
    base,
    http,
    call,
    dropConnections: () => server.closeAllConnections(),
    async close() {
      await close();
      await queue.close();
    },
  };
}

/**
 * The HTTP server alone over any QueueService (a test queue's, or another connection with its own
 * settings) on a random loopback port; close() ends the server, not the queue.
 */
export async function listenRest(
  service: QueueService,
  env: Record<string, string> = {},
  extra: Partial<AppOptions> = {},
): Promise<{ base: URL; http: HttpApp; server: Server; close(): Promise<void> }> {
  const settings = loadSettings({ env, command: 'serve' });
  const http = createApp({
    service,
    mcp: { mcp: settings.mcp, worker: settings.worker },
    origins: { allowedHosts: [], allowedOrigins: [] },
    payloadLimitBytes: PAYLOAD_LIMIT,
    maxSessions: settings.http.maxSessions,
    ...extra,
  });
  const server = serve({ fetch: http.app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', resolve)));
  const { port } = server.address() as AddressInfo;
  return {
    base: new URL(`http://127.0.0.1:${port}`),
    http,
    server,
    async close() {
      await http.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** A fresh server over a fresh queue for every test of the enclosing describe. */
export function useRest(backend: Backend, set: (h: RestHarness) => void): void {
  let current: Awaited<ReturnType<typeof startRest>> | undefined;
  beforeEach(async () => {
    current = await startRest(backend);
    set(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
}
