// `serve` settings: bind address, port and the Host/Origin allow-lists, from flags or environment.
import { settingError as bad, splitList as split } from '../config.js';
import { isLoopbackHost, type OriginPolicy } from './guard.js';

export interface HttpOptions {
  host: string;
  port: number;
  origins: OriginPolicy;
}

export interface HttpFlags {
  host?: string | undefined;
  port?: string | undefined;
  allowedHosts?: string | undefined;
  allowedOrigins?: string | undefined;
}

export const DEFAULT_PORT = 8787;

export function loadHttpOptions(flags: HttpFlags, env: NodeJS.ProcessEnv = process.env): HttpOptions {
  const host = flags.host ?? env.AGENT_QUEUE_HOST ?? '127.0.0.1';
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (!isLoopbackHost(bare) && !isLoopbackHost(host)) {
    throw bad(
      '--host / AGENT_QUEUE_HOST',
      `refusing to listen on "${host}": without access tokens the server only binds to loopback (127.0.0.1, ::1, localhost). ` +
        'Token authentication arrives in a later release; until then reach it from other machines through an SSH tunnel or a reverse proxy that authenticates.',
    );
  }
  const rawPort = flags.port ?? env.AGENT_QUEUE_PORT;
  const port = rawPort === undefined || rawPort === '' ? DEFAULT_PORT : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw bad(
      '--port / AGENT_QUEUE_PORT',
      `"${rawPort}" is not a port number (0–65535; 0 picks a free port).`,
    );
  }
  const allowedOrigins = split(flags.allowedOrigins ?? env.AGENT_QUEUE_ALLOWED_ORIGINS);
  const wrong = allowedOrigins.find((o) => !/^https?:\/\/[^/]+$/.test(o));
  if (wrong)
    throw bad(
      '--allowed-origins / AGENT_QUEUE_ALLOWED_ORIGINS',
      `"${wrong}" is not an origin such as https://app.example.com (scheme and host, no path).`,
    );
  return {
    host: bare,
    port,
    origins: { allowedHosts: split(flags.allowedHosts ?? env.AGENT_QUEUE_ALLOWED_HOSTS), allowedOrigins },
  };
}
