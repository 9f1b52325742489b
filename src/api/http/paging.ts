// Cursor paging for list endpoints: `{ items, nextCursor }`. The cursor is opaque to clients
// (base64url JSON); today it carries the page number and size of the admin operation's own
// paging (Get-MessageTrace and Get-QuarantineMessage page by number), so a client never computes
// one. A full page always offers a next cursor; the page after the last one is empty.
import { z } from 'zod';
import { queryInt } from './query.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export const PageQuery = z.object({
  cursor: z.string().max(200).optional().describe('The nextCursor of the previous page.'),
  limit: queryInt(1, MAX_LIMIT).optional().describe(`Items per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}).`),
});

export interface Page {
  /** 1-based page number. */
  page: number;
  size: number;
}

export class CursorError extends Error {}

export function readCursor(query: { cursor?: string; limit?: number }): Page {
  if (!query.cursor) return { page: 1, size: query.limit ?? DEFAULT_LIMIT };
  try {
    const c = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as { p?: unknown; s?: unknown };
    if (Number.isInteger(c.p) && Number.isInteger(c.s) && (c.p as number) >= 1 && (c.s as number) >= 1 && (c.s as number) <= MAX_LIMIT) return { page: c.p as number, size: c.s as number };
  } catch {
    /* refused below */
  }
  throw new CursorError('cursor: not a cursor this API gave out; start again without it.');
}

export function pageOf<T>(items: T[], page: Page): { items: T[]; nextCursor: string | null } {
  const next = items.length >= page.size ? Buffer.from(JSON.stringify({ p: page.page + 1, s: page.size })).toString('base64url') : null;
  return { items, nextCursor: next };
}

/** One page of a list the admin operation returns whole (connectors, rules, domains ...). */
export function slicePage<T>(all: T[], page: Page): { items: T[]; nextCursor: string | null } {
  const start = (page.page - 1) * page.size;
  const items = all.slice(start, start + page.size);
  const more = start + page.size < all.length;
  return { items, nextCursor: more ? Buffer.from(JSON.stringify({ p: page.page + 1, s: page.size })).toString('base64url') : null };
}
