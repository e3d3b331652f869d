// Logs go to stderr: in stdio mode stdout belongs to the MCP protocol.
import { destination, pino, type Logger } from 'pino';
import type { LogLevel } from './settings/types.js';

export type { Logger };

/** `level` comes from the settings (AGENT_QUEUE_LOG_LEVEL); nothing here reads the environment. */
export function createLogger(level: LogLevel): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      // Never log secrets, even if a caller passes them along in an object.
      redact: { paths: ['*.leaseToken', '*.token', '*.authorization', '*.payload'], censor: '[redacted]' },
    },
    destination({ fd: 2, sync: true }),
  );
}
