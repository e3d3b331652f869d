// The permission each /api request needs, read from the REST route table (rest/routes.ts), the one
// place a route is declared. /api routes not in it need `operate`, so a route added without a
// permission is closed, not open.
import type { MiddlewareHandler } from 'hono';
import type { Permission } from '../queue/permissions.js';
import { requirePermission, type AuthEnv } from './auth.js';
import { ROUTES } from './rest/routes.js';

/** [method, path (`{name}` is one path segment), permission]: the route table and the OpenAPI document. */
export const API_ROUTE_PERMISSIONS: readonly (readonly [string, string, Permission])[] = [
  ...ROUTES.map((r) => [r.method, r.path, r.permission] as const),
  ['GET', '/api/openapi.json', 'read'],
];

/** What a route not in the table needs: the most privileged permission. */
export const UNLISTED_PERMISSION: Permission = 'operate';

const COMPILED = API_ROUTE_PERMISSIONS.map(([method, pattern, permission]) => ({
  method,
  permission,
  re: new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\{[a-zA-Z]+\}/g, '[^/]+')}/?$`),
}));

/** The permission a request needs (HEAD counts as GET). */
export function permissionFor(method: string, path: string): Permission {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return COMPILED.find((r) => r.method === m && r.re.test(path))?.permission ?? UNLISTED_PERMISSION;
}

/** Middleware for /api/*: checks the table's permission for each request (after `authenticate`). */
export function apiPermissions(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    return requirePermission(permissionFor(c.req.method, c.req.path))(c, next);
  };
}
