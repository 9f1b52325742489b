// Who may do what through the admin API. Roles carry Exchange's names (role groups in the
// Exchange and Defender admin centers); a route names the permission it needs, and a principal
// has it in its own organization only — except the provider operator, who manages every one.
// Pure: no request, no store.

export const ROLES = ['Organization Management', 'Security Reader', 'Quarantine Administrator', 'Provider Operator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * - read: configuration, trace, reports, the Direct Send preview, the audit log;
 * - investigate: queries that change nothing (hunting, simulate);
 * - quarantine.read / quarantine.manage: list and look at held mail / release, delete, export;
 * - search: start and stop historical searches (jobs that produce reports);
 * - configure: change the organization's configuration;
 * - users: manage the organization's admin users;
 * - provider: create and remove organizations.
 */
export type Permission = 'read' | 'investigate' | 'quarantine.read' | 'quarantine.manage' | 'search' | 'configure' | 'users' | 'provider';

const GRANTS: Record<Role, readonly Permission[]> = {
  'Organization Management': ['read', 'investigate', 'quarantine.read', 'quarantine.manage', 'search', 'configure', 'users'],
  // Defender's Security Reader: read-only access, hunting and reports; held message content is
  // not theirs to read (preview and export are quarantine.manage).
  'Security Reader': ['read', 'investigate', 'quarantine.read'],
  'Quarantine Administrator': ['read', 'quarantine.read', 'quarantine.manage'],
  'Provider Operator': ['read', 'investigate', 'quarantine.read', 'quarantine.manage', 'search', 'configure', 'users', 'provider'],
};

export interface Principal {
  userName: string;
  /** The organization's GUID; null for a provider operator. */
  organization: string | null;
  roles: Role[];
  /** 'session' (browser, CSRF-checked) or 'token' (API token for scripts). */
  via: 'session' | 'token';
}

/** Whether the principal may use `permission` in the organization with this GUID. */
export function allowed(principal: Principal, orgGuid: string | null, permission: Permission): boolean {
  if (principal.organization !== null && principal.organization !== orgGuid) return false;
  return principal.roles.some((r) => GRANTS[r]?.includes(permission));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
