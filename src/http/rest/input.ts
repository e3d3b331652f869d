// The request as the service's input: a JSON object body (POST, PUT) or the query (GET, DELETE),
// plus the path's parameters (a job id, a concurrency key). Nothing is validated here beyond "a JSON
// object": the service parses with the shared schema.
import type { Context } from 'hono';
import { z } from 'zod';
import { QueueError } from '../../core/errors.js';
import { echo } from '../../core/echo.js';
import { PATH_PARAMS, pathParams, type RestRoute } from './route.js';

/** Query fields the schema declares boolean: "true"/"false" in a URL are read as such. */
export function booleanFields(route: RestRoute): Set<string> {
  if (!route.input || route.method !== 'GET') return new Set();
  const json = z.toJSONSchema(route.input, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { type?: unknown }>;
  };
  return new Set(
    Object.entries(json.properties ?? {})
      .filter(([, p]) => p.type === 'boolean')
      .map(([k]) => k),
  );
}

/** GET and DELETE carry their input in the query; POST and PUT in a JSON body. */
export const readsQuery = (route: RestRoute): boolean => route.method === 'GET' || route.method === 'DELETE';

export async function readInput(
  c: Context,
  route: RestRoute,
  booleans: Set<string>,
): Promise<Record<string, unknown>> {
  const input = readsQuery(route) ? queryInput(c, booleans) : await bodyInput(c, route);
  for (const name of pathParams(route.path)) {
    const field = PATH_PARAMS[name];
    if (field in input) {
      throw new QueueError(
        'invalid_argument',
        `Invalid ${route.operationId} arguments: the ${name === 'id' ? 'job id' : field} belongs in the path (${route.path}), not in the ${readsQuery(route) ? 'query' : 'body'}: remove ${field}.`,
      );
    }
    // Hono decodes a parameter ("repo%3Aacme%2Fapi" is "repo:acme/api").
    input[field] = c.req.param(name);
  }
  return input;
}

function queryInput(c: Context, booleans: Set<string>): Record<string, unknown> {
  const query: Record<string, unknown> = { ...c.req.query() };
  for (const key of booleans) {
    if (query[key] === 'true') query[key] = true;
    else if (query[key] === 'false') query[key] = false;
  }
  return query;
}

async function bodyInput(c: Context, route: RestRoute): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  // No body is an empty object: POST /cancel needs nothing but the path.
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new QueueError(
      'invalid_argument',
      `The request body is not valid JSON (${echo((err as Error).message, 120)}). Send one JSON object, e.g. curl -H 'content-type: application/json' -d '{"type": "demo"}'.`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new QueueError(
      'invalid_argument',
      `Invalid ${route.operationId} arguments: the body must be a JSON object such as {"key": "value"}, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}.`,
    );
  }
  return value as Record<string, unknown>;
}
