// Sign-in, sessions, API tokens and users.
import { z } from 'zod';
import { ApiError } from '../http/errors.js';
import { slicePage, readCursor, PageQuery } from '../http/paging.js';
import { route, type RouteSpec } from '../http/route.js';
import { AccessError, userView, type AccessControl } from '../access/service.js';
import { ROLES } from '../access/roles.js';
import type { ApiContext } from '../http/route.js';

export function asApiError(e: unknown): unknown {
  if (!(e instanceof AccessError)) return e;
  const category = e.status === 404 ? 'ObjectNotFound' : e.status === 409 ? 'ResourceExists' : e.status === 400 ? 'InvalidArgument' : 'PermissionDenied';
  return new ApiError(e.status, e.message, { errorId: e.status === 429 ? 'TooManyRequests' : e.status === 401 ? 'NotAuthenticated' : 'InvalidParameterValue', category, ...(e.parameter && { parameter: e.parameter }) });
}

/** A change to who may administer an organization, in its admin audit log (Exchange's role group cmdlets). */
function auditMembership(ctx: ApiContext, orgGuid: string, caller: { userName: string; clientIp: string }, cmdlet: 'Add-RoleGroupMember' | 'Remove-RoleGroupMember', member: string, roles: string[], error?: unknown) {
  ctx.auditLog.append({
    orgGuid,
    at: Date.now(),
    caller: `${caller.userName} (admin API)`,
    cmdletName: cmdlet,
    cmdletParameters: [{ Name: 'Identity', Value: roles.join(', ') }, { Name: 'Member', Value: member }],
    objectModified: member,
    modifiedProperties: [{ Name: 'Roles', OldValue: cmdlet === 'Add-RoleGroupMember' ? [] : roles, NewValue: cmdlet === 'Add-RoleGroupMember' ? roles : [] }],
    succeeded: error === undefined,
    errorMessage: error instanceof Error ? error.message : error === undefined ? '' : String(error),
    clientIp: caller.clientIp,
  });
}

export function accessRoutes(access: AccessControl, ctx: ApiContext): RouteSpec[] {
  const visibleOrganizations = (organization: string | null) => ctx.provider.getOrganizations().filter((o) => organization === null || o.Guid === organization);
  return [
    route({
      method: 'POST', path: '/login', tag: 'Sign-in', permission: 'public', summary: 'Sign in; sets the session cookie and returns the CSRF token.',
      body: z.object({ userName: z.string().min(1).max(128), password: z.string().min(1).max(256) }).strict(),
      async handler({ body, request, reply }) {
        const s = await access.signIn(body.userName, body.password, request.ip).catch((e) => {
          if (e instanceof AccessError && e.retryAfter) reply.header('retry-after', e.retryAfter);
          return Promise.reject(asApiError(e));
        });
        reply.setSession(s.sessionId);
        return { user: s.principal, csrfToken: s.csrfToken, organizations: visibleOrganizations(s.principal.organization) };
      },
    }),
    route({
      method: 'POST', path: '/logout', tag: 'Sign-in', permission: 'authenticated', summary: 'Sign out (ends the session).', status: 204,
      async handler({ request, reply }) {
        if (request.sessionId) access.signOut(request.sessionId);
        reply.clearCookie('postern_session', { path: '/' });
      },
    }),
    route({
      method: 'GET', path: '/session', tag: 'Sign-in', permission: 'authenticated', summary: 'Who is signed in, the CSRF token, and the organizations the caller may see.',
      async handler({ principal, request }) {
        return { user: principal, csrfToken: request.csrfToken ?? null, organizations: visibleOrganizations(principal.organization) };
      },
    }),
    route({
      method: 'GET', path: '/organizations', tag: 'Organizations', permission: 'authenticated', summary: 'The organizations the caller may see.',
      async handler({ principal }) {
        return { items: visibleOrganizations(principal.organization), nextCursor: null };
      },
    }),
    route({
      method: 'POST', path: '/organizations', tag: 'Organizations', permission: 'provider', status: 201, summary: 'Create an organization (tenant) with its first accepted domain.',
      body: z.object({ Name: z.string(), DomainName: z.string() }).strict(),
      handler: ({ body }) => ctx.provider.newOrganization(body),
    }),
    route({
      method: 'DELETE', path: '/organizations/{org}', tag: 'Organizations', permission: 'provider', status: 204, summary: 'Remove an organization with its configuration and users.',
      params: z.object({ org: z.string() }),
      handler: ({ org }) => ctx.provider.removeOrganization(org.Guid),
    }),
    route({
      method: 'GET', path: '/tokens', tag: 'Sign-in', permission: 'authenticated', summary: "The caller's API tokens (never the secrets).",
      async handler({ principal }) {
        return { items: access.users.tokens(principal.userName).map(tokenView), nextCursor: null };
      },
    }),
    route({
      method: 'POST', path: '/tokens', tag: 'Sign-in', permission: 'authenticated', status: 201, summary: 'Create an API token for scripts (Authorization: Bearer); the token is shown once.',
      body: z.object({ name: z.string().min(1).max(100), expiresInDays: z.number().int().min(1).max(730).optional() }).strict(),
      async handler({ principal, body }) {
        if (principal.via !== 'session') throw new ApiError(403, 'API tokens are created from a signed-in session, not with another token.', { errorId: 'AccessDenied', category: 'PermissionDenied' });
        const { token, record } = access.createToken(principal.userName, body.name, body.expiresInDays);
        return { token, ...tokenView(record) };
      },
    }),
    route({
      method: 'DELETE', path: '/tokens/{id}', tag: 'Sign-in', permission: 'authenticated', status: 204, summary: 'Revoke one of your API tokens.',
      params: z.object({ id: z.string() }),
      async handler({ principal, params }) {
        if (!access.users.removeToken(principal.userName, params.id)) throw new ApiError(404, `The token '${params.id}' couldn't be found.`, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound', parameter: 'id' });
      },
    }),
    route({
      method: 'GET', path: '/organizations/{org}/users', tag: 'Users', permission: 'users', summary: "The organization's admin center users.",
      params: z.object({ org: z.string() }), query: PageQuery,
      async handler({ org, query }) {
        return slicePage(access.users.users(org.Guid).map(userView), readCursor(query));
      },
    }),
    route({
      method: 'POST', path: '/organizations/{org}/users', tag: 'Users', permission: 'users', status: 201, summary: 'Add a user to the organization with roles.',
      params: z.object({ org: z.string() }),
      body: z.object({ userName: z.string(), password: z.string(), roles: z.array(z.enum(ROLES.filter((r) => r !== 'Provider Operator') as [string, ...string[]])).min(1) }).strict(),
      async handler({ org, body, principal, request }) {
        const caller = { userName: principal.userName, clientIp: request.ip };
        try {
          const user = await access.addUser({ ...body, organization: org.Guid });
          auditMembership(ctx, org.Guid, caller, 'Add-RoleGroupMember', body.userName, body.roles);
          return user;
        } catch (e) {
          auditMembership(ctx, org.Guid, caller, 'Add-RoleGroupMember', body.userName, body.roles, e);
          throw asApiError(e);
        }
      },
    }),
    route({
      method: 'DELETE', path: '/organizations/{org}/users/{userName}', tag: 'Users', permission: 'users', status: 204, summary: 'Remove a user (and end their sessions and tokens).',
      params: z.object({ org: z.string(), userName: z.string() }),
      async handler({ org, params, principal, request }) {
        const user = access.users.user(params.userName);
        if (!user || user.organization !== org.Guid) throw new ApiError(404, `The user '${params.userName}' couldn't be found.`, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound', parameter: 'userName' });
        if (user.userName.toLowerCase() === principal.userName.toLowerCase()) throw new ApiError(409, "You can't remove yourself.", { errorId: 'InvalidOperation', category: 'InvalidOperation', parameter: 'userName' });
        access.users.removeUser(user.userName);
        auditMembership(ctx, org.Guid, { userName: principal.userName, clientIp: request.ip }, 'Remove-RoleGroupMember', user.userName, user.roles);
      },
    }),
  ];
}

const tokenView = (t: { id: string; name: string; createdAt: number; expiresAt: number | null; lastUsedAt: number | null }) => ({
  id: t.id,
  name: t.name,
  createdAt: new Date(t.createdAt).toISOString(),
  expiresAt: t.expiresAt === null ? null : new Date(t.expiresAt).toISOString(),
  lastUsedAt: t.lastUsedAt === null ? null : new Date(t.lastUsedAt).toISOString(),
});
