// What a page shows when it fails while rendering (instead of React Router's default screen,
// whose inline styles the CSP blocks): the error as text and a way back.
import { Link, useRouteError } from 'react-router';

export function ErrorPage() {
  const error = useRouteError();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <section role="alert" className="panel">
      <h1>This page failed</h1>
      <p>{message}</p>
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </section>
  );
}
