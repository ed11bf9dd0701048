// The service's OpenAPI document (/openapi.json) and its browsable docs (/docs), generated from the routes'
// TypeBox schemas; every /api route must say which permission it needs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Problem } from '@shiftstack/contract';
import type { ServiceInstance } from './server';

export async function openApiDocs(
  app: ServiceInstance,
  openapi: { title: string; version: string; description: string },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: openapi.title,
        version: openapi.version,
        description: openapi.description,
      },
      components: {
        schemas: { Problem } as never,
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'An access token from the OpenID Connect issuer (locally: `npm run token -- --as <email>`). What each operation needs is under its Permission.',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/**
 * Every /api route says who may call it (`x-permission`, shown in the docs under "Permission") and is
 * documented as needing a bearer token: a route cannot be added without deciding its permission.
 */
export function requirePermissions(app: ServiceInstance) {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const permission = schema['x-permission'];
    if (typeof permission !== 'string')
      throw new Error(`${String(route.method)} ${route.url} declares no x-permission`);
    if (schema.security) return; // HEAD routes share the GET route's schema object
    route.schema = {
      ...schema,
      security: [{ bearer: [] }],
      description: [schema.description, `**Permission:** ${permission}`].filter(Boolean).join('\n\n'),
    };
  });
}
