// What one REST route is: the table in routes.ts is the single source of both the routing
// (mount.ts) and the OpenAPI document (openapi.ts).
import type { Context } from 'hono';
import type { z } from 'zod';
import type { QueueService } from '../../queue/service.js';

import type { Permission } from '../../queue/permissions.js';

export type { Permission };

export interface RouteCall {
  service: QueueService;
  /** The parsed request: JSON body (POST) or query (GET), with the path's job id as `jobId`. */
  input: Record<string, unknown>;
  /** Aborted when the client goes away: long-polls end instead of handing a job to nobody. */
  signal: AbortSignal;
  c: Context;
  /** serve's --types: what any claim through this server may take (undefined = any). */
  serverTypes: string[] | undefined;
  /** The live event streams this server may hold at once (each reads the database every second). */
  streams: StreamSlots;
}

export interface StreamSlots {
  readonly max: number;
  /** A slot and its release, or null when all are taken. */
  take(): (() => void) | null;
}

export function streamSlots(max: number): StreamSlots {
  let open = 0;
  return {
    max,
    take() {
      if (open >= max) return null;
      open += 1;
      let released = false;
      return () => {
        if (!released) open -= 1;
        released = true;
      };
    },
  };
}

/**
 * The path parameters a route may have, and the input field each one fills: `{id}` is always a
 * job id, `{key}` a concurrency key (URL-encoded by the caller: keys hold ':' and '/'), `{name}` a
 * schedule's name.
 */
export const PATH_PARAMS = { id: 'jobId', key: 'key', name: 'name' } as const;
export type PathParam = keyof typeof PATH_PARAMS;

/** The path parameters in a route's path, in order. */
export const pathParams = (path: string): PathParam[] =>
  [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as PathParam);

export interface RestRoute {
  /** GET and DELETE read their input from the query, POST and PUT from a JSON body. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI style, e.g. /api/queue/jobs/{id}; each `{name}` is one of PATH_PARAMS. */
  path: string;
  operationId: string;
  summary: string;
  permission: Permission;
  /** The shared input schema (src/queue/schemas.ts); where the path has {id}, its `jobId` comes from there. */
  input?: z.ZodType;
  /** The answer's shape for the document (the MCP output shapes, loose: the answer carries every field). */
  output?: z.ZodType;
  /** A Response (an event stream) as is; anything else is answered as JSON. */
  handler: (call: RouteCall) => Promise<unknown>;
  /** Status of a JSON answer, when not 200. */
  status?: (answer: unknown) => number;
  /** text/event-stream instead of JSON. */
  stream?: boolean;
}
