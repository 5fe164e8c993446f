// The OpenAPI 3.1 document of what this service serves, generated from the route schemas themselves
// (OpenAPI 3.1 speaks JSON Schema 2020-12, which the TypeBox schemas already are).
import type { FastifyInstance, RouteOptions } from 'fastify';

type Schema = Record<string, unknown>;
const PREFIX = '/core/casemgr/v3';

export const OPENAPI_PATH = `${PREFIX}/openapi.json`;

/** Call before the API routes are registered: it watches them as they are added. */
export function collectOpenApi(app: FastifyInstance, info: { version: string }): void {
  const paths: Record<string, Record<string, unknown>> = {};
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(PREFIX) || !route.schema || route.url === OPENAPI_PATH) return;
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      (paths[path] ??= {})[method.toLowerCase()] = operationOf(route.schema as Schema);
    }
  });
  app.get(OPENAPI_PATH, { logLevel: 'warn' }, async () => ({
    openapi: '3.1.0',
    info: { title: 'casemgr — eGain-compatible Case Management', version: info.version },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'User token; scopes core.casemgr.manage / core.casemgr.read',
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  }));
}

function parametersOf(schema: Schema | undefined, where: 'path' | 'query' | 'header'): unknown[] {
  const properties = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = (schema?.required ?? []) as string[];
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

function operationOf(schema: Schema): Record<string, unknown> {
  const headers = ['Accept', 'Accept-Language', 'X-egain-error-message'].map((name) => ({
    name,
    in: 'header',
    required: false,
    schema: { type: 'string' },
  }));
  const responses: Record<string, unknown> = {};
  for (const [status, s] of Object.entries((schema.response ?? {}) as Record<string, Schema>)) {
    const key = status.toUpperCase();
    responses[key] =
      status === '204'
        ? { description: typeof s.description === 'string' ? s.description : 'No Content' }
        : typeof s.contentMediaType === 'string'
          ? {
              description: typeof s.description === 'string' ? s.description : 'OK',
              content: { [s.contentMediaType]: { schema: { type: 'string' } } },
            }
          : {
              description: status === '4xx' ? 'eGain error body (also 5xx)' : 'OK',
              content: {
                'application/json': { schema: s },
                'application/xml': { schema: { type: 'string' } },
              },
            };
  }
  return {
    operationId: schema.operationId,
    summary: schema.summary,
    parameters: [
      ...parametersOf(schema.params as Schema, 'path'),
      ...parametersOf(schema.querystring as Schema, 'query'),
      ...parametersOf(schema.headers as Schema, 'header'),
      ...headers,
    ],
    ...(schema.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } }
      : {}),
    responses,
  };
}
