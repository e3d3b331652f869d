// Read-only views for hosts that show resources: one job with its recent events, and the fleet status.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { QueueApi } from './queue-api.js';
import { rpcError } from './errors.js';

const RECENT_EVENTS = 20;
const LISTED_JOBS = 20;

const json = (uri: URL, value: unknown): ReadResourceResult => ({
  contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
});

async function answer(uri: URL, read: () => Promise<unknown>): Promise<ReadResourceResult> {
  try {
    return json(uri, await read());
  } catch (err) {
    throw rpcError(err);
  }
}

export function registerResources(server: McpServer, service: QueueApi): void {
  server.registerResource(
    'status',
    'agent-queue://status',
    {
      title: 'Queue status',
      description: 'Fleet pause state, job counts and recent pause/resume audit.',
      mimeType: 'application/json',
    },
    (uri) => answer(uri, () => service.control.status()),
  );
  server.registerResource(
    'job',
    new ResourceTemplate('agent-queue://jobs/{id}', {
      list: async () => {
        const page = await service
          .list({ limit: LISTED_JOBS })
          .catch((err: unknown) => Promise.reject(rpcError(err)));
        return {
          resources: page.jobs.map((j) => ({
            uri: `agent-queue://jobs/${j.id}`,
            name: `${j.type} ${j.id} (${j.status})`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'Job',
      description: `A job and its latest ${RECENT_EVENTS} events.`,
      mimeType: 'application/json',
    },
    (uri, { id }) => answer(uri, () => service.get({ jobId: String(id), events: RECENT_EVENTS })),
  );
}
