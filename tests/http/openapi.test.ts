// /api/openapi.json: the document and the router come from one table, so every documented
// operation is routed and every routed one documented; every schema in it compiles as JSON Schema
// 2020-12 (what OpenAPI 3.1 uses); and every operation answers (not 404 or 405 for its route).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/http/rest/routes.js';
import { backendsForSuite } from '../helpers/backends.js';
import { useRest, type RestHarness } from './rest-harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(backendsForSuite())('OpenAPI document ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (opened) => (h = opened));

  it('is OpenAPI 3.1 and lists exactly the routed operations, each with its permission', async () => {
    const { status, body: doc } = await h.call('GET', '/api/openapi.json');
    expect(status).toBe(200);
    expect(doc.openapi).toMatch(/^3\.1\./);
    const documented = Object.entries(doc.paths as Json).flatMap(([path, ops]) =>
      Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routed = [...ROUTES.map((r) => `${r.method} ${r.path}`), 'GET /api/openapi.json'];
    expect(documented.sort()).toEqual(routed.sort());
    for (const ops of Object.values(doc.paths as Json)) {
      for (const op of Object.values(ops as Json)) {
        expect(['read', 'produce', 'work', 'operate']).toContain(op['x-permission']);
        expect(op.operationId).toEqual(expect.any(String));
      }
    }
  });

  it('has schemas that compile with ajv (JSON Schema 2020-12)', async () => {
    const { body: doc } = await h.call('GET', '/api/openapi.json');
    const ajv = new Ajv2020({ strict: true, strictTypes: false, allowUnionTypes: true });
    addFormats.default(ajv);
    ajv.compile(doc.components.schemas.Error);
    let compiled = 0;
    for (const ops of Object.values(doc.paths as Json)) {
      for (const op of Object.values(ops as Json)) {
        const schemas = [
          op.requestBody?.content['application/json'].schema,
          ...(op.parameters ?? []).map((p: Json) => p.schema),
          ...Object.values(op.responses as Json).map((r: Json) => r.content?.['application/json']?.schema),
        ].filter((s) => s && !s.$ref);
        for (const schema of schemas) {
          ajv.compile(schema);
          compiled++;
        }
      }
    }
    expect(compiled).toBeGreaterThan(ROUTES.length);
    // A body the document accepts is one the service accepts.
    const enqueue = ajv.compile(
      doc.paths['/api/queue/jobs'].post.requestBody.content['application/json'].schema,
    );
    expect(enqueue({ type: 'doc.job', payload: { a: 1 } })).toBe(true);
    expect(enqueue({ type: 'Bad Type' })).toBe(false);
  });

  it('every documented operation answers on its route', async () => {
    const { body: doc } = await h.call('GET', '/api/openapi.json');
    const { body } = await h.call('POST', '/api/queue/jobs', { type: 'doc.job' });
    for (const [path, ops] of Object.entries(doc.paths as Json)) {
      for (const method of Object.keys(ops as Json)) {
        const url = new URL(path.replace('{id}', body.job.id), h.base);
        const res = await fetch(url, {
          method: method.toUpperCase(),
          ...(method === 'post' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
        });
        const type = res.headers.get('content-type') ?? '';
        // Streams end once the job is finished; this one is queued, so stop reading.
        if (type.includes('text/event-stream')) {
          expect(res.status).toBe(200);
          await res.body?.cancel();
          continue;
        }
        const answer = (await res.json()) as Json;
        expect(type, `${method} ${path}`).toContain('application/json');
        expect([404, 405].includes(res.status) && /No route|not allowed/.test(answer.error?.message)).toBe(
          false,
        );
      }
    }
  });
});
