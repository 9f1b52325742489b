// Sign in: POST /api/login, then back to the page the user wanted.
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, login } from '../api';
import { useSession } from '../session';

export function LoginPage() {
  const { session, refresh } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (session) return <Navigate to={from} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(userName, password);
      await refresh();
      navigate(from, { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setError('The user name or password is not right.');
      else if (e instanceof ApiError && e.status === 429) setError('Too many sign-in attempts. Wait a minute and try again.');
      else setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>Postern admin center</h1>
      <form onSubmit={(e) => void submit(e)} aria-describedby="login-error">
        <div className="field">
          <label htmlFor="login-user">User name</label>
          <input id="login-user" autoComplete="username" value={userName} onChange={(e) => setUserName(e.target.value)} required autoFocus />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input id="login-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        <p id="login-error" role="alert" className="error">
          {error}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
