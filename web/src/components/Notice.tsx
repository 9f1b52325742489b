// Status and error lines: announced to screen readers as they change (aria-live).
import type { ReactNode } from 'react';

export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}

export function StatusText({ children }: { children: ReactNode }) {
  return (
    <p role="status" aria-live="polite" className="status">
      {children}
    </p>
  );
}
