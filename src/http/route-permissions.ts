// The permission each /api request needs, read from the REST route table (rest/routes.ts), the one
// place a route is declared, and the only source of /api handlers: a request that names no route
// passes on (authenticated) to the 404 or 405 answer, since there is nothing behind it to protect.
import type { MiddlewareHandler } from 'hono';
import type { Permission } from '../queue/permissions.js';
import { requirePermission, type AuthEnv } from './auth.js';
import { ROUTES } from './rest/routes.js';

/** [method, path (`{name}` is one path segment), permission]: the route table and the OpenAPI document. */
export const API_ROUTE_PERMISSIONS: readonly (readonly [string, string, Permission])[] = [
  ...ROUTES.map((r) => [r.method, r.path, r.permission] as const),
  ['GET', '/api/openapi.json', 'read'],
];

const COMPILED = API_ROUTE_PERMISSIONS.map(([method, pattern, permission]) => ({
  method,
  permission,
  re: new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\{[a-zA-Z]+\}/g, '[^/]+')}$`),
}));

/** The permission a request needs (HEAD counts as GET); null: it names no route. */
export function permissionFor(method: string, path: string): Permission | null {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return COMPILED.find((r) => r.method === m && r.re.test(path))?.permission ?? null;
}

/** Middleware for /api/*: checks the table's permission for each request (after `authenticate`). */
export function apiPermissions(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const permission = c.req.method === 'OPTIONS' ? null : permissionFor(c.req.method, c.req.path);
    return permission === null ? next() : requirePermission(permission)(c, next);
  };
}
