// PostgreSQL schema migrations, numbered on their own (not SQLite's numbers: the two schemas grow
// at their own pace), applied in order and never edited once released: add a new one instead.
// Each runs in one transaction (PostgreSQL's DDL is transactional), so a node that dies half-way
// leaves the schema as it was.
import { traceSchemaDdl } from './traceDdl.js';

export interface Migration {
  version: number;
  up: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    up: [
      // Configuration, as on SQLite: one validated document per organization (config/model.ts),
      // an index of accepted domains (a domain and its subdomains belong to one organization), and
      // a version counter. Writers take the counter's row lock first, which serializes them: the
      // domain rule spans rows (a parent and its subdomain), so no unique index could enforce it.
      `CREATE TABLE config_version (
         singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
         version bigint NOT NULL)`,
      `INSERT INTO config_version (version) VALUES (0)`,
      // guid is text, not uuid: the document's GUID is matched as written, as on SQLite.
      `CREATE TABLE organizations (guid text PRIMARY KEY, name text NOT NULL, doc jsonb NOT NULL)`,
      // Names are unique whatever their case (SQLite: COLLATE NOCASE); the writers check first,
      // this is the backstop.
      `CREATE UNIQUE INDEX organizations_name ON organizations (lower(name))`,
      `CREATE TABLE accepted_domains (
         domain text PRIMARY KEY,
         org_guid text NOT NULL REFERENCES organizations (guid) ON DELETE CASCADE)`,
      `CREATE INDEX accepted_domains_org ON accepted_domains (org_guid)`,
    ],
  },
  {
    version: 2,
    up: [
      // Each running node's heartbeat (store/postgres/nodes.ts), for `postern status`: the
      // configuration version it serves and its queue depth, as of last_seen. A node that stops
      // removes its row; one that died keeps it, its last_seen growing old.
      `CREATE TABLE nodes (
         id uuid PRIMARY KEY,
         hostname text NOT NULL,
         pid integer NOT NULL,
         started_at timestamptz NOT NULL,
         last_seen timestamptz NOT NULL,
         config_version bigint NOT NULL,
         queue_depth integer NOT NULL)`,
    ],
  },
  {
    version: 3,
    // Message trace, trace events and the hunting tables, partitioned by UTC day, and the functions
    // that create and drop day partitions (store/postgres/traceDdl.ts). The hunting tables are
    // generated from trace/tables.ts as it stands at this migration: a column added there later
    // needs its own migration (ALTER TABLE on the parent reaches every partition) and this one must
    // then leave it out, as SQLite's LATER_HUNTING_COLUMNS does.
    up: traceSchemaDdl(),
  },
];
