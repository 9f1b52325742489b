// A list endpoint's pages ({ items, nextCursor }): the first page on load, the next ones on
// demand ("Show more"), all again on reload.
import { useCallback, useState } from 'react';
import type { Page } from '../api';
import { useLoad } from './useLoad';

export interface Paged<T> {
  items: T[];
  error: unknown;
  loading: boolean;
  hasMore: boolean;
  more(): void;
  reload(): void;
}

export function usePaged<T>(load: (cursor: string | undefined) => Promise<Page<T>>, deps: unknown[]): Paged<T> {
  const [extra, setExtra] = useState<{ items: T[]; nextCursor: string | null; error: unknown; loading: boolean }>({ items: [], nextCursor: null, error: null, loading: false });
  const first = useLoad(async () => {
    setExtra({ items: [], nextCursor: null, error: null, loading: false });
    return load(undefined);
  }, deps);
  const cursor = extra.items.length ? extra.nextCursor : (first.data?.nextCursor ?? null);
  const more = useCallback(() => {
    if (!cursor) return;
    setExtra((e) => ({ ...e, loading: true }));
    load(cursor).then(
      (page) => setExtra((e) => ({ items: [...e.items, ...page.items], nextCursor: page.nextCursor, error: null, loading: false })),
      (error: unknown) => setExtra((e) => ({ ...e, error, loading: false })),
    );
    // `load` changes with every render; the cursor says which page comes next.
  }, [cursor]);
  return {
    items: [...(first.data?.items ?? []), ...extra.items],
    error: first.error ?? extra.error,
    loading: first.loading || extra.loading,
    hasMore: cursor !== null && !first.loading,
    more,
    reload: first.reload,
  };
}

export function MoreButton({ paged, what }: { paged: Paged<unknown>; what: string }) {
  if (!paged.hasMore) return null;
  return (
    <div className="actions">
      <button type="button" className="secondary" onClick={paged.more} disabled={paged.loading}>
        Show more {what}
      </button>
    </div>
  );
}
