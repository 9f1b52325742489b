// The frame of every signed-in page: the navigation bar, the organization picker (when the user
// may see several) and sign out. Without a session it sends the user to the sign-in page.
import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useSession } from '../session';

const LINKS: [string, string][] = [
  ['/', 'Dashboard'],
  ['/connectors', 'Connectors'],
  ['/rules', 'Rules'],
  ['/organization', 'Organization'],
  ['/quarantine', 'Quarantine'],
  ['/message-trace', 'Message trace'],
  ['/hunting', 'Hunting'],
  ['/historical-searches', 'Historical searches'],
  ['/audit-log', 'Audit log'],
];

export function Layout() {
  const { session, organization, setOrganization, signOut } = useSession();
  const location = useLocation();
  if (session === undefined) return <p role="status">Loading…</p>;
  if (session === null) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Postern</span>
        <nav aria-label="Main">
          <ul>
            {LINKS.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to} end={to === '/'}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          {session.organizations.length > 1 && (
            <label>
              Organization{' '}
              <select value={organization} onChange={(e) => setOrganization(e.target.value)}>
                {session.organizations.map((o) => (
                  <option key={o.Guid} value={o.Name}>
                    {o.Name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <span className="user">{session.user.userName}</span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        {organization ? <Outlet key={organization} /> : <p role="alert">Your account sees no organization. Ask a provider operator to give you one.</p>}
      </main>
    </div>
  );
}
