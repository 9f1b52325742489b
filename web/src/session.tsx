// Who is signed in and which organization the pages act on. The session comes from
// GET /api/session; a 401 from any call clears it, and the layout then shows the sign-in page.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { getSession, logout, setUnauthorizedHandler, type Session } from './api';

const ORG_KEY = 'postern.organization';

export interface SessionState {
  /** undefined while the first GET /api/session is under way. */
  session: Session | null | undefined;
  organization: string;
  setOrganization(name: string): void;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

function pickOrganization(session: Session | null, wanted: string | null): string {
  if (!session) return '';
  const names = session.organizations.map((o) => o.Name);
  if (wanted && names.includes(wanted)) return wanted;
  // A user of one organization has its GUID in user.organization; the picker works with names.
  const own = session.organizations.find((o) => o.Guid === session.user.organization || o.Name === session.user.organization);
  return own?.Name ?? names[0] ?? '';
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [organization, setOrganizationState] = useState('');

  const refresh = useCallback(async () => {
    try {
      const next = await getSession();
      setSession(next);
      setOrganizationState(pickOrganization(next, localStorage.getItem(ORG_KEY)));
    } catch {
      setSession(null);
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => setSession(null));
    void refresh();
  }, [refresh]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      organization,
      setOrganization(name: string) {
        localStorage.setItem(ORG_KEY, name);
        setOrganizationState(name);
      },
      refresh,
      async signOut() {
        try {
          await logout();
        } finally {
          setSession(null);
        }
      },
    }),
    [session, organization, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The organization the current page acts on (the layout renders pages only once it is known). */
export function useOrganization(): string {
  return useSession().organization;
}

/** Roles that may change configuration; the others see read-only pages. */
export function useCanManage(): boolean {
  const { session } = useSession();
  const roles = session?.user.roles ?? [];
  return roles.includes('Organization Management') || roles.includes('Provider Operator');
}
