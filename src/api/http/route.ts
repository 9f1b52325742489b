// One way to declare an admin API route: its method and path, the zod schemas that validate its
// path parameters, query and body, the permission it needs, and its handler. The same
// declarations register the route with fastify and produce the OpenAPI document (openapi.ts), so
// what is documented is what is validated.
//
// Routes under /organizations/{org}/ act in one organization: the route resolves {org} (name or
// GUID), checks the caller's permission there, and hands the handler that organization's admin
// operations (admin/), acting as the caller.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { OrganizationAdmin, OrganizationRef, ProviderAdmin } from '../../admin/index.js';
import type { AdminAuditLog } from '../../store/ports.js';
import { allowed, type Permission, type Principal } from '../access/roles.js';
import { ApiError } from './errors.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type { OrganizationRef };

/** What the API needs from the composition root. */
export interface ApiContext {
  /** The organizations, and creating and removing them (provider operators). */
  provider: ProviderAdmin;
  /** Where changes the admin layer does not make (users, organizations) are audited. */
  auditLog: AdminAuditLog;
  /** The admin operations of one organization, acting as this caller. */
  adminFor(org: OrganizationRef, caller: { userName: string; clientIp: string }): OrganizationAdmin;
}

export interface Handled<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  request: FastifyRequest;
  reply: FastifyReply;
  /** Present on organization routes. */
  org: OrganizationRef;
  admin: OrganizationAdmin;
}

export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** OpenAPI style, relative to /api: '/organizations/{org}/inbound-connectors/{id}'. */
  path: string;
  summary: string;
  tag: string;
  /** 'authenticated': any signed-in caller; 'public': no sign-in (login, the document itself). */
  permission: Permission | 'authenticated' | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** Success status (default 200; 204 sends no body). */
  status?: number;
  /** Success content type when not JSON (a download). */
  produces?: string;
  /** The Exchange cmdlet this route does, for the documentation. */
  cmdlet?: string;
  handler(h: Handled<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

export function route<P extends z.ZodType = z.ZodObject, Q extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUndefined>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

const ORG_PREFIX = '/organizations/{org}';

/** The organization {org} names, if the caller may see it; otherwise not found (never "forbidden": no probing of names). */
function resolveOrganization(ctx: ApiContext, principal: Principal, ref: string): OrganizationRef {
  const lower = ref.toLowerCase();
  const org = ctx.provider.getOrganizations().find((o) => o.Guid.toLowerCase() === lower || o.Name.toLowerCase() === lower);
  if (!org || (principal.organization !== null && principal.organization !== org.Guid)) {
    throw new ApiError(404, `The organization '${ref}' couldn't be found.`, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound', parameter: 'Organization' });
  }
  return org;
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> {
  if (!schema) return undefined as z.output<T>;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  throw ApiError.fromZod(r.error, where);
}

export function registerRoutes(app: FastifyInstance, ctx: ApiContext, routes: RouteSpec[]): void {
  for (const spec of routes) {
    const url = `${spec.path.replace(/\{(\w+)\}/g, ':$1')}`;
    app.route({
      method: spec.method,
      url,
      config: { spec },
      handler: async (request, reply) => {
        const principal = request.principal;
        if (spec.permission !== 'public' && !principal) throw new ApiError(401, 'Sign in first.', { errorId: 'NotAuthenticated', category: 'PermissionDenied' });
        const params = parse(spec.params, request.params, 'path') as Record<string, string> | undefined;
        let org: OrganizationRef | undefined;
        let admin: OrganizationAdmin | undefined;
        if (spec.path.startsWith(ORG_PREFIX) && principal) {
          org = resolveOrganization(ctx, principal, (request.params as { org: string }).org);
          if (spec.permission !== 'authenticated' && spec.permission !== 'public' && !allowed(principal, org.Guid, spec.permission)) throw forbidden(spec.permission);
          admin = ctx.adminFor(org, { userName: principal.userName, clientIp: request.ip });
        } else if (principal && spec.permission !== 'authenticated' && spec.permission !== 'public' && !allowed(principal, principal.organization, spec.permission)) {
          throw forbidden(spec.permission);
        }
        const result = await spec.handler({
          params: params as never,
          query: parse(spec.query, request.query, 'query') as never,
          body: parse(spec.body, request.body, 'body') as never,
          principal: principal as Principal,
          request,
          reply,
          org: org as OrganizationRef,
          admin: admin as OrganizationAdmin,
        });
        if (reply.sent) return reply;
        reply.code(spec.status ?? 200);
        if (spec.status === 204) return reply.send();
        if (spec.produces) reply.type(spec.produces);
        return result;
      },
    });
  }
}

function forbidden(permission: Permission): ApiError {
  return new ApiError(403, `Your role doesn't allow this (it needs the '${permission}' permission).`, { errorId: 'AccessDenied', category: 'PermissionDenied' });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    spec?: RouteSpec;
  }
}
