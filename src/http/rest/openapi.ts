// /api/openapi.json (OpenAPI 3.1), made from the route table and the shared zod schemas with zod's
// own JSON Schema output: no schema is written twice. Inputs are shown as a caller sends them
// (`io: 'input'`): defaults optional, numbers also accepted as decimal strings by the service.
import { z } from 'zod';
import { ERROR_CODES } from '../../core/errors.js';
import { packageVersion } from '../../core/version.js';
import { PATH_PARAMS, pathParams, type PathParam, type RestRoute } from './route.js';
import { readsQuery } from './input.js';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Json;
  return rest;
};

/** The route's input without the fields its path carries (the job id, a concurrency key). */
function inputSchema(route: RestRoute): Json | undefined {
  if (!route.input) return undefined;
  const json = jsonSchema(route.input);
  const inPath = new Set<string>(pathParams(route.path).map((p) => PATH_PARAMS[p]));
  if (inPath.size === 0) return json;
  const properties = Object.fromEntries(
    Object.entries(json.properties as Json).filter(([k]) => !inPath.has(k)),
  );
  const required = ((json.required as string[] | undefined) ?? []).filter((k) => !inPath.has(k));
  const { required: _all, ...rest } = json;
  return { ...rest, properties, ...(required.length > 0 ? { required } : {}) };
}

const PATH_PARAM_DOCS: Record<PathParam, string> = {
  id: 'The job id.',
  key: 'The concurrency key, URL-encoded (repo:acme/api is repo%3Aacme%2Fapi).',
  name: "The schedule's name.",
};

const errorSchema: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string', description: 'What went wrong and how to fix the call.' },
        details: {
          type: 'object',
          description: 'Machine-readable facts, e.g. the job state or validation issues.',
        },
        hint: {
          type: 'string',
          description:
            "Which fix the message's last sentence names (list_jobs, force_resume), for clients that word it their own way.",
        },
      },
    },
  },
};
const errorResponse = {
  description:
    'An error: 400 invalid_argument, 401, 403, 404 not_found, 405, 409 lease_lost / job_state_conflict, 413, 503 unavailable.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

function operation(route: RestRoute): Json {
  const input = inputSchema(route);
  const parameters: Json[] = [];
  for (const name of pathParams(route.path)) {
    parameters.push({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
      description: PATH_PARAM_DOCS[name],
    });
  }
  if (input && readsQuery(route)) {
    const required = new Set((input.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((input.properties as Json | undefined) ?? {})) {
      parameters.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  if (route.stream) {
    parameters.push({
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      schema: { type: 'string' },
      description: 'Resume after this event id (EventSource sends it on reconnect); wins over ?after=.',
    });
  }
  const ok = route.stream
    ? {
        description: 'text/event-stream: one `message` per event (id = the event id), then `end`.',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      }
    : {
        description: 'OK',
        content: { 'application/json': { schema: route.output ? jsonSchema(route.output) : {} } },
      };
  const success =
    route.method === 'POST' && route.operationId === 'enqueue' ? { '201': ok, '200': ok } : { '200': ok };
  return {
    operationId: route.operationId,
    summary: route.summary,
    'x-permission': route.permission,
    ...(parameters.length ? { parameters } : {}),
    ...(input && !readsQuery(route)
      ? { requestBody: { required: false, content: { 'application/json': { schema: input } } } }
      : {}),
    responses: { ...success, default: errorResponse },
  };
}

export function openApiDocument(routes: readonly RestRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  paths['/api/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document.',
      'x-permission': 'read',
      responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: {} } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'agent-queue', version: packageVersion() },
    paths,
    components: { schemas: { Error: errorSchema } },
  };
}
