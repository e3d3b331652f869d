// Logs go to stderr: in stdio mode stdout belongs to the MCP protocol.
import { destination, pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.AGENT_QUEUE_LOG_LEVEL ?? 'info'): Logger {
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
