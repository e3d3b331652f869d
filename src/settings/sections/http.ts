// `agent-queue serve`: where it listens and which hosts and origins it accepts.
import { z } from 'zod';
import { originList, port, textList, wholeNumber } from '../kinds.js';
import { setting } from '../setting.js';

export const HTTP_SETTINGS = {
  'http.host': setting({
    env: 'AGENT_QUEUE_HOST',
    flag: { spec: '--host <address>', commands: 'serve' },
    commands: 'serve',
    schema: z.string(),
    default: '127.0.0.1',
    defaultText: '`127.0.0.1`',
    help: 'bind address; loopback only until tokens exist',
  }),
  'http.port': setting({
    env: 'AGENT_QUEUE_PORT',
    flag: { spec: '--port <port>', commands: 'serve' },
    commands: 'serve',
    schema: port(),
    default: 8787,
    defaultText: '`8787`',
    help: 'port, 0 = any free one',
  }),
  'http.allowedHosts': setting({
    env: 'AGENT_QUEUE_ALLOWED_HOSTS',
    flag: { spec: '--allowed-hosts <list>', commands: 'serve' },
    commands: 'serve',
    schema: textList(),
    default: [] as string[],
    defaultText: 'none: loopback only',
    help: 'extra `Host` header names to accept',
  }),
  'http.allowedOrigins': setting({
    env: 'AGENT_QUEUE_ALLOWED_ORIGINS',
    flag: { spec: '--allowed-origins <list>', commands: 'serve' },
    commands: 'serve',
    schema: originList(),
    default: [] as string[],
    defaultText: 'none: loopback only',
    help: 'extra browser origins to accept',
  }),
  'http.maxSessions': setting({
    env: 'AGENT_QUEUE_HTTP_MAX_SESSIONS',
    flag: { spec: '--max-sessions <count>', commands: 'serve', parse: 'integer' },
    commands: 'serve',
    schema: wholeNumber(1, 100_000),
    default: 256,
    defaultText: '`256`',
    help: 'MCP sessions held at once (HTTP and legacy SSE together); the one idle longest goes',
  }),
};
