// DNS-rebinding protection for /mcp and the legacy SSE endpoints: a browser page on a foreign site
// must not reach a server on this machine. Only loopback Host and Origin values pass, plus the
// ones configured with --allowed-hosts / --allowed-origins.
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
    await next();
  };
}
