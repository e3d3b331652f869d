// Mounts the route table under /api: read the input, call the handler, answer JSON (or the event
// stream it made), and every failure as `{error: {code, message, details?}}` with its status.
// Unknown paths under /api are 404 and known paths with another method 405, both as JSON.
import type { Context, Env, Hono } from 'hono';
import { QueueError } from '../../core/errors.js';
import type { Logger } from '../../log.js';
import type { QueueService } from '../../queue/service.js';
import { httpError } from '../errors.js';
import { booleanFields, readInput } from './input.js';
import { openApiDocument } from './openapi.js';
import { streamSlots, type RestRoute } from './route.js';
import { ROUTES } from './routes.js';

/** Live event streams held at once: each reads the database once a second while it waits. */
export const DEFAULT_MAX_EVENT_STREAMS = 512;

const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const pathPattern = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`);

function errorResponse(c: Context, err: unknown, log?: Logger): Response {
  const { status, body } = httpError(err);
  // A bug's answer says "check the server log": this is that line.
  // Message, code and stack only: driver errors carry row values (a payload) in their details.
  if (status >= 500 && body.error.code === 'internal') {
    const e = err as { message?: unknown; stack?: unknown; code?: unknown };
    log?.error(
      { err: { message: e.message, code: e.code, stack: e.stack }, path: c.req.path },
      'REST call failed',
    );
  }
  return c.json(body, status as 400);
}

export function mountRest<E extends Env>(
  app: Hono<E>,
  service: QueueService,
  opts: {
    log?: Logger | undefined;
    routes?: RestRoute[];
    serverTypes?: string[] | undefined;
    maxEventStreams?: number | undefined;
  } = {},
): void {
  const { log, routes = ROUTES, serverTypes } = opts;
  const streams = streamSlots(opts.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS);
  const document = openApiDocument(routes);
  app.get('/api/openapi.json', (c) => c.json(document));
  // Literal paths before those with {id}: /jobs/claim is not the job "claim".
  const ordered = [...routes].sort((a, b) => Number(a.path.includes('{')) - Number(b.path.includes('{')));
  for (const route of ordered) {
    const booleans = booleanFields(route);
    app.on(route.method, honoPath(route.path), async (c) => {
      try {
        const input = await readInput(c, route, booleans);
        const answer = await route.handler({
          service,
          input,
          signal: c.req.raw.signal,
          c,
          serverTypes,
          streams,
        });
        if (answer instanceof Response) return answer;
        return c.json(answer as object, (route.status?.(answer) ?? 200) as 200);
      } catch (err) {
        return errorResponse(c, err, log);
      }
    });
  }
  const known = [...routes, { method: 'GET', path: '/api/openapi.json' }].map((r) => ({
    method: r.method,
    pattern: pathPattern(r.path),
  }));
  app.all('/api/*', (c) => {
    const allowed = [...new Set(known.filter((k) => k.pattern.test(c.req.path)).map((k) => k.method))];
    if (allowed.length === 0) {
      return errorResponse(
        c,
        new QueueError(
          'not_found',
          `No route ${c.req.method} ${c.req.path}. GET /api/openapi.json lists every route of this API.`,
        ),
      );
    }
    c.header('Allow', allowed.join(', '));
    return c.json(
      {
        error: {
          code: 'invalid_argument',
          message: `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}.`,
        },
      },
      405,
    );
  });
}
