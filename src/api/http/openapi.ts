// The OpenAPI 3.1 document, generated from the route declarations and their zod schemas (zod's
// own JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses as is).
import { z } from 'zod';
import type { RouteSpec } from './route.js';

type Json = Record<string, unknown>;

const ERROR = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['message', 'errorId', 'category'],
      properties: { message: { type: 'string' }, errorId: { type: 'string' }, category: { type: 'string' }, parameter: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' }, position: { type: 'integer' } },
    },
  },
};

const schemaOf = (s: z.ZodType): Json => z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;

function parameters(spec: RouteSpec): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const js = schemaOf(schema) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s, ...(typeof s.description === 'string' && { description: s.description }) });
    }
  }
  return out;
}

function operation(spec: RouteSpec): Json {
  const status = String(spec.status ?? 200);
  const success = spec.status === 204 ? { description: 'Done.' } : { description: 'OK', content: { [spec.produces?.split(';')[0] ?? 'application/json']: { schema: spec.produces ? { type: 'string', format: 'binary' } : {} } } };
  const errors: Json = {};
  for (const [code, what] of [['400', 'The request is refused; the message names the parameter.'], ['401', 'Not signed in.'], ['403', 'The role does not allow it, or the CSRF token is missing.'], ['404', 'Not found (also: an organization the caller may not see).']]) {
    errors[code] = { description: what, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: `${spec.method.toLowerCase()}${spec.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.cmdlet && { description: `Exchange cmdlet: \`${spec.cmdlet}\`. Permission: ${spec.permission}.` }),
    ...(spec.permission === 'public' && { security: [] }),
    parameters: parameters(spec),
    ...(spec.body && { requestBody: { required: !spec.body.safeParse(undefined).success, content: { 'application/json': { schema: schemaOf(spec.body) } } } }),
    responses: { [status]: success, ...errors },
  };
}

export function openApiDocument(routes: RouteSpec[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Postern admin API',
      version,
      description: "Every operation is the admin layer's, the one Postern's shell (PowerShell-compatible cmdlets) calls: the same names, parameters and error messages as Exchange Online's cmdlets.",
    },
    servers: [{ url: '/api' }],
    security: [{ session: [] }, { token: [] }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'postern_session', description: 'Browser session from POST /login; state-changing calls also send X-CSRF-Token.' },
        token: { type: 'http', scheme: 'bearer', description: 'API token from POST /tokens.' },
      },
      schemas: { Error: ERROR },
    },
    paths,
  };
}
