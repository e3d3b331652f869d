// The dashboard (SPEC §14): static files from the package's dashboard/ folder, served at `/` and
// `/dashboard/<file>`. They hold no data (the page reads everything from /api with the user's token),
// so they load without a token; the Host/Origin guard still applies (app.ts). The folder sits at the
// package root and this module two levels below it, in src/http/, dist/http/ and dist/bundle/ alike,
// so one import.meta.url-relative path finds it from the repo, the build and the installed tarball.
import { readFile } from 'node:fs/promises';
import type { Hono } from 'hono';

const DIR = new URL('../../dashboard/', import.meta.url);

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

// A flat folder of plain names: no dots but the extension's, no slashes, so no path can leave it.
const ASSET = /^[a-z0-9][a-z0-9-]*\.(html|js|css|svg)$/;

/**
 * No inline script or style, nothing from another origin: payloads are user data, and even if one
 * slipped into the page as markup it could not run. frame-ancestors stops clickjacking of the
 * pause and cancel buttons.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Small files: always revalidated, so an upgraded server never runs with a stale script.
  'Cache-Control': 'no-cache',
};

async function asset(name: string): Promise<Response> {
  const match = ASSET.exec(name);
  if (!match) return notFound(name);
  try {
    const body = await readFile(new URL(name, DIR));
    return new Response(body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': TYPES[match[1] ?? ''] ?? 'application/octet-stream' },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return notFound(name);
    throw err;
  }
}

const notFound = (name: string): Response =>
  new Response(
    JSON.stringify({
      error: {
        code: 'not_found',
        message: `No dashboard file "${name}". Open the dashboard at / instead.`,
      },
    }),
    { status: 404, headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/json' } },
  );

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app's env: these routes read none of it
export function mountDashboard(app: Hono<any>): void {
  app.get('/', () => asset('index.html'));
  app.get('/dashboard/:file', (c) => asset(c.req.param('file')));
}
