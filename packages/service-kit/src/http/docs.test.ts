// The API description alone: /openapi.json and /docs are generated from the routes' schemas; with
// requirePermissions, an /api route without x-permission cannot be registered, and one with it is
// documented as needing a bearer token and that permission.
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { bareApp } from '../testing';
import { openApiDocs, requirePermissions } from './docs';

let app: ReturnType<typeof bareApp>;
afterEach(() => app?.close());

async function documented() {
  app = bareApp();
  requirePermissions(app);
  await openApiDocs(app, { title: 'Svc', version: '1.2.3', description: 'A service.' });
}

describe('openApiDocs and requirePermissions', () => {
  it('documents each /api route with its permission and the bearer scheme', async () => {
    await documented();
    app.get(
      '/api/things',
      { schema: { 'x-permission': 'things:read', response: { 200: Type.Array(Type.String()) } } as never },
      async () => [],
    );
    const doc = (await app.inject('/openapi.json')).json();
    expect(doc.info).toMatchObject({ title: 'Svc', version: '1.2.3' });
    const get = doc.paths['/api/things'].get;
    expect(get.security).toEqual([{ bearer: [] }]);
    expect(get.description).toContain('**Permission:** things:read');
    expect((await app.inject('/docs/')).statusCode).toBe(200);
  });

  it('refuses to register an /api route that does not say who may call it', async () => {
    await documented();
    expect(() => app.get('/api/open', async () => ({}))).toThrow('GET /api/open declares no x-permission');
  });
});
