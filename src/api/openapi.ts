import express from 'express';
import { z } from 'zod';
import { errorCodes } from '../domain/error-codes.js';
import { docsPageHtml } from './docs-page.js';
import type { RouteInfo } from './routes.js';

/**
 * The OpenAPI 3.1 description of the REST API, built from the route table: the same zod
 * schemas that validate each request (z.toJSONSchema, JSON Schema 2020-12, which OpenAPI
 * 3.1 uses as is) and the roles each route admits (`x-roles`, and in the description).
 * Built once: the table is complete when the service starts.
 */
export interface OpenApiOptions {
  version: string;
  /** Schemas shared by several operations, described once under components.schemas. */
  named?: Record<string, z.ZodType>;
}

type JsonSchema = Record<string, unknown>;

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error', 'code', 'details'],
  properties: {
    error: { type: 'string', description: 'English text for people; may change' },
    code: { type: 'string', enum: [...errorCodes], description: 'stable code the pages translate' },
    details: {
      type: 'array',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string', description: 'the field, e.g. body.location.coordinates.1' }, message: { type: 'string' } } },
    },
  },
};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function describeRoles(roles: RouteInfo['roles']): string {
  return roles === 'public' ? 'Roles: public (no token).' : `Roles: ${roles.join(', ')}.`;
}

/** The status a successful call answers (declared by the route; 200 unless said). */
function successStatus(route: RouteInfo): string {
  return route.successStatus ? String(route.successStatus) : '200';
}

export function buildOpenApi(table: readonly RouteInfo[], options: OpenApiOptions): JsonSchema {
  const components: Record<string, JsonSchema> = { Error: errorSchema };
  const names = new Map<z.ZodType, string>();
  for (const [name, schema] of Object.entries(options.named ?? {})) {
    names.set(schema, name);
    components[name] = toSchema(schema, 'input');
  }
  const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const name = names.get(schema);
    return name && io === 'input' ? { $ref: `#/components/schemas/${name}` } : toSchema(schema, io);
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of table) {
    // The same paths GET /api/v1 lists (the index itself is /api/v1/).
    const path = `/api/v1${route.path}`.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', route.schemas.params], ['query', route.schemas.query]] as const) {
      if (!schema) continue;
      const json = toSchema(schema, 'input');
      const required = new Set((json.required as string[] | undefined) ?? []);
      for (const [name, prop] of Object.entries((json.properties as Record<string, JsonSchema> | undefined) ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: prop, ...(prop.description ? { description: prop.description } : {}) });
      }
    }
    const roles = route.roles === 'public' ? ['public'] : [...route.roles];
    const ok = successStatus(route);
    const responses: Record<string, unknown> = {
      [ok]: ok === '204'
        ? { description: 'done, no content' }
        : { description: 'success', content: { 'application/json': { schema: route.schemas.response ? schemaOf(route.schemas.response, 'output') : {} } } },
      '400': { description: 'invalid request (the details name each field)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      default: { description: 'any other error: 401, 403, 404, 409, 413, 415, 422, 429, 503', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    const operation: Record<string, unknown> = {
      operationId: `${route.method}${path.replace(/[{}]/g, '').split(/[/-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`,
      summary: route.summary.split(/[.:(]/)[0]!.slice(0, 120),
      description: `${route.summary}\n\n${describeRoles(route.roles)}`,
      tags: [route.path.split('/')[1] || 'index'],
      'x-roles': roles,
      security: route.roles === 'public' ? [] : route.allowAnonymous ? [{ bearer: [] }, {}] : [{ bearer: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      responses,
    };
    if (route.rawBody) {
      operation.requestBody = { required: false, content: { 'text/plain': { schema: { type: 'string' } }, 'application/x-www-form-urlencoded': { schema: { type: 'string' } }, 'application/json': { schema: {} } } };
    } else if (route.schemas.body) {
      const schema = schemaOf(route.schemas.body, 'input');
      operation.requestBody = { required: true, content: Object.fromEntries(route.bodyTypes.map((t) => [t, { schema }])) };
    }
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sanifleet API',
      version: options.version,
      description: 'REST API of sanifleet. Send `Authorization: Bearer <token>`: an API token (devices, integrations) or the session token from POST /api/v1/auth/login. '
        + 'Each operation lists the roles it admits in `x-roles`. Errors answer `{ error, code, details: [{ path, message }] }`. '
        + 'Live push is socket.io on the same port (`auth: { token }`), described in src/live/README.md.',
    },
    servers: [{ url: '/' }],
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token (sf_…) or session token (ss_…)' } } },
    paths,
  };
}

/** GET /api/openapi.json and the readable page at GET /api/docs: public, offline (no CDN). */
export function openApiRouter(table: readonly RouteInfo[], options: OpenApiOptions): express.Router {
  const router = express.Router();
  let doc: string | undefined;
  router.get('/api/openapi.json', (_req, res) => {
    doc ??= JSON.stringify(buildOpenApi(table, options));
    res.type('application/json').setHeader('Cache-Control', 'no-cache');
    res.send(doc);
  });
  router.get('/api/docs', (_req, res) => {
    res.type('html').send(docsPageHtml);
  });
  return router;
}
