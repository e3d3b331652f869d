// The dashboard's files through the real server (createApp) on both backends: the page and its
// modules with their content types and security headers, 404 for anything else, the Host/Origin
// guard like every other route, and no token needed for the files while /api still needs one.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { useRest, type RestHarness } from './rest-harness.js';

/** A GET with a Host header fetch() would not let us set. */
function getWithHost(url: URL, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function expectSecurityHeaders(headers: Headers): void {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(headers.get('x-content-type-options')).toBe('nosniff');
}

describe.each(backendsForSuite())('dashboard files ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (harness) => (h = harness));
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, h.base), { headers });

  it('answers / with the page: HTML, CSP, nosniff, scripts only from files (no inline script)', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expectSecurityHeaders(res.headers);
    const html = await res.text();
    expect(html).toContain('<meta name="viewport"');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\bsrc="\/dashboard\/[a-z-]+\.js"/);
    // Nothing from another origin: every src/href is a path on this server (or a fragment).
    for (const m of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) expect(m[1]).toMatch(/^(\/|#)/);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
  });

  it('serves every module the page imports and its stylesheet with the right types', async () => {
    const css = await get('/dashboard/style.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expectSecurityHeaders(css.headers);
    // Walk the module graph from app.js: a missing or mistyped module would break the page.
    const seen = new Set<string>();
    const pending = ['app.js'];
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const res = await get(`/dashboard/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe('text/javascript; charset=utf-8');
      expectSecurityHeaders(res.headers);
      const code = await res.text();
      expect(code, `${name} must not write HTML from strings`).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write/,
      );
      for (const m of code.matchAll(/from '\.\/([a-z-]+\.js)'/g)) pending.push(m[1] as string);
    }
    expect([...seen].sort()).toEqual([
      'api.js',
      'app.js',
      'detail.js',
      'dom.js',
      'fleet.js',
      'list.js',
      'sse.js',
    ]);
  });

  it('answers 404 for an unknown file and for any name that could leave the folder', async () => {
    for (const path of [
      '/dashboard/nope.js',
      '/dashboard/index.htm',
      '/dashboard/..%2Fpackage.json',
      '/dashboard/%2e%2e%2fpackage.json',
      '/dashboard/.gitignore',
      '/dashboard/README.md',
      '/dashboard/app.js/x',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type') ?? '', path).not.toContain('text/html');
      await res.body?.cancel();
    }
  });

  it('refuses a foreign Host or Origin on the page and its files, like every other route', async () => {
    for (const path of ['/', '/dashboard/app.js']) {
      expect(await getWithHost(new URL(path, h.base), `rebind.example:${h.base.port}`), path).toBe(403);
      const foreign = await get(path, { origin: 'http://evil.example' });
      expect(foreign.status, path).toBe(403);
      await foreign.body?.cancel();
      expect(await getWithHost(new URL(path, h.base), `localhost:${h.base.port}`), path).toBe(200);
    }
  });

  it('serves the files without a token once tokens are on, while /api needs one', async () => {
    const { token } = await h.q.service.tokens.create({ name: 'dash-producer', role: 'producer' });
    for (const path of ['/', '/dashboard/app.js', '/dashboard/style.css']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      await res.body?.cancel();
    }
    const anonymous = await h.call('GET', '/api/queue/jobs');
    expect(anonymous.status).toBe(401);
    const withToken = await h.call('GET', '/api/queue/jobs', undefined, { authorization: `Bearer ${token}` });
    expect(withToken.status).toBe(200);
  });
});
