// The counts /metrics reads at scrape time (SignalStore), on SQLite: each is one grouped count
// over an index or a small table, cheap enough for a scrape every few seconds.
import type { SignalStore } from '../ports.js';
import type { Db } from './db.js';

export class SqliteSignalStore implements SignalStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      queueDepth: db.prepare(
        `SELECT CASE WHEN status = 'queued' AND attempts > 0 THEN 'deferred' ELSE status END AS state, count(*) AS count
           FROM queue_recipients GROUP BY 1`,
      ),
      // The audit row of a release lists the recipients it released, comma-separated.
      released: db.prepare(
        `SELECT org_guid AS orgGuid, sum(length(recipients) - length(replace(recipients, ',', '')) + 1) AS count
           FROM quarantine_audit WHERE action = 'Release' AND recipients <> '' GROUP BY org_guid`,
      ),
      searches: db.prepare('SELECT status AS state, count(*) AS count FROM historical_searches GROUP BY status'),
    };
  }

  queueDepth(): { state: string; count: number }[] {
    return this.s.queueDepth.all() as { state: string; count: number }[];
  }

  releasedByOrganization(): { orgGuid: string; count: number }[] {
    return this.s.released.all() as { orgGuid: string; count: number }[];
  }

  searchesByState(): { state: string; count: number }[] {
    return this.s.searches.all() as { state: string; count: number }[];
  }
}
