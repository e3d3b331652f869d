// Logs go to stderr: in stdio mode stdout belongs to the MCP protocol.
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { LogLevel } from './settings/types.js';

export type { Logger };

const require = createRequire(import.meta.url);

// Set by scripts/bundle.mjs to the bundled copy of pino next to the chunks: pino is a
// devDependency, so the installed package has no node_modules/pino. Unbundled (tests, tsc
// output), the 'pino' package itself is loaded.
declare const AQ_BUNDLED_PINO: string | undefined;
const PINO = typeof AQ_BUNDLED_PINO === 'string' ? AQ_BUNDLED_PINO : 'pino';

// pino's numeric levels: a call below the threshold is dropped without loading pino at all.
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const threshold = (level: string) => LEVELS[level] ?? Infinity; // silent

function pinoLogger(level: string): Logger {
  // Loaded on the first message that is written: a quiet server (the stdio MCP server logs
  // nothing until shutdown at the default level) never pays pino's start-up time and memory.
  // Synchronous on purpose: lines keep their order and none is lost to an exit right after it.
  const { pino, destination } = require(PINO) as typeof import('pino');
  return pino(
    {
      level,
      base: { pid: process.pid },
      // Never log secrets, even if a caller passes them along in an object.
      redact: {
        paths: [
          '*.leaseToken',
          '*.token',
          '*.tokenHash',
          '*.authorization',
          '*.headers.authorization',
          '*.payload',
        ],
        censor: '[redacted]',
      },
    },
    destination({ fd: 2, sync: true }),
  );
}

/** `level` comes from the settings (AGENT_QUEUE_LOG_LEVEL); nothing here reads the environment. */
export function createLogger(level: LogLevel): Logger {
  let current: string = level;
  let real: Logger | undefined;
  const load = () => (real ??= pinoLogger(current));
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (prop === 'level') return real ? real.level : current;
      if (typeof prop === 'string' && prop in LEVELS && !real && threshold(prop) < threshold(current)) {
        return () => {};
      }
      const logger = load();
      const value: unknown = Reflect.get(logger, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(logger) : value;
    },
    set(_target, prop, value) {
      if (prop === 'level') current = String(value);
      if (real || prop !== 'level') Reflect.set(load(), prop, value);
      return true;
    },
  });
}
