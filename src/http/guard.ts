// DNS-rebinding protection for /mcp, the legacy SSE endpoints, /api and the dashboard: a browser
// page on a foreign site must not reach a server on this machine. Only loopback Host and Origin
// values pass, plus the ones configured with --allowed-hosts / --allowed-origins. Cross-origin
// (CORS) access is granted to the --allowed-origins only: loopback pages pass the Origin check
// (same machine), but only a configured origin gets a preflight answered and its responses shared.
import type { Context, MiddlewareHandler } from 'hono';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface OriginPolicy {
  /** Extra Host names (with or without port), e.g. "queue.internal" or "queue.internal:8787". */
  allowedHosts: string[];
  /** Extra exact origins, e.g. "https://dashboard.example.com". */
  allowedOrigins: string[];
}

export const isLoopbackHost = (hostname: string): boolean =>
  LOOPBACK.has(hostname) || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);

function hostnameOf(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return null;
  }
}

function originAllowed(origin: string, policy: OriginPolicy): boolean {
  if (policy.allowedOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

const refuse = (c: Context, message: string) => c.json({ error: { code: 'forbidden', message } }, 403);

export function originGuard(policy: OriginPolicy): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host') ?? '';
    const hostname = hostnameOf(host);
    const hostOk =
      hostname !== null &&
      (isLoopbackHost(hostname) || policy.allowedHosts.some((h) => h === host || h === hostname));
    if (!hostOk) {
      return refuse(
        c,
        `Host "${host}" is not allowed. Connect through localhost, or start serve with --allowed-hosts ${hostname ?? '<name>'}.`,
      );
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !originAllowed(origin, policy)) {
      return refuse(
        c,
        `Origin "${origin}" is not allowed. Only pages served from localhost may call this server, or origins listed with --allowed-origins.`,
      );
    }
    const cors = origin !== undefined && policy.allowedOrigins.includes(origin);
    if (c.req.method === 'OPTIONS' && origin !== undefined) {
      if (!cors) {
        return refuse(
          c,
          `Cross-origin requests from "${origin}" are not allowed. Start serve with --allowed-origins ${origin} to let pages from it call this server.`,
        );
      }
      return c.body(null, 204, { ...corsHeaders(origin), ...PREFLIGHT_HEADERS });
    }
    await next();
    if (cors) {
      // A streamed response may have its headers sent already; then there is nothing to add.
      try {
        for (const [k, v] of Object.entries(corsHeaders(origin))) c.res.headers.set(k, v);
      } catch {
        /* immutable headers: the response stays same-origin only */
      }
    }
  };
}

const corsHeaders = (origin: string): Record<string, string> => ({
  'Access-Control-Allow-Origin': origin,
  'Access-Control-Expose-Headers': 'Mcp-Session-Id, WWW-Authenticate',
  Vary: 'Origin',
});

const PREFLIGHT_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers':
    'Authorization, Content-Type, Accept, Last-Event-ID, Mcp-Session-Id, Mcp-Protocol-Version',
  'Access-Control-Max-Age': '600',
};
