// PostgreSQL DDL for message trace, trace events and the hunting tables, each partitioned by UTC
// day on its time column (declarative RANGE partitioning), so retention drops a day's partitions
// instead of deleting rows. The hunting tables are generated from trace/tables.ts, as on SQLite
// (store/sqlite/huntingDdl.ts), with the same stored representation (trace/tables.ts's storage
// convention): a KQL query compiled for one engine reads the other's rows the same way.
import { HUNTING_TABLES, ORG_COLUMN, type HuntingColumn, type HuntingTable, type KustoType } from '../../trace/tables.js';

const PG_TYPE: Record<KustoType, string> = {
  string: "text NOT NULL DEFAULT ''",
  // Milliseconds since the epoch, as on SQLite: the partition bounds and every comparison the KQL
  // compiler writes stay plain integers.
  datetime: 'bigint',
  int: 'integer',
  long: 'bigint',
  real: 'double precision',
  // 0/1 as on SQLite (not boolean): `Succeeded == true` compiles to the same comparison on both.
  bool: 'smallint',
  // JSON as text, as on SQLite; a query that looks inside casts to jsonb.
  dynamic: 'text',
  timespan: 'bigint',
};

const column = (c: HuntingColumn) => `"${c.name}" ${PG_TYPE[c.type]}${c.name === 'Timestamp' ? ' NOT NULL' : ''}`;

/** One hunting table, partitioned by day on Timestamp, with the (organization, time) index every tenant query starts from. */
export function huntingTableDdl(table: HuntingTable): string[] {
  return [
    `CREATE TABLE "${table.name}" ("${ORG_COLUMN}" text NOT NULL, ${table.columns.map(column).join(', ')}) PARTITION BY RANGE ("Timestamp")`,
    // The article's hunting query (EmailEvents | where Timestamp > ago(30d) ...) runs scoped to one
    // organization: OrgId = $1 AND Timestamp > $2, a range scan of this index in each day partition.
    `CREATE INDEX "${table.name}_org_time" ON "${table.name}" ("${ORG_COLUMN}", "Timestamp")`,
  ];
}

/** Message trace and its events. An event lives in its message's day (trace_received_at), so both go in one drop. */
export const TRACE_DDL: string[] = [
  // No UNIQUE (network_message_id, recipient) as on SQLite: a unique index of a partitioned table
  // must include the partition key, which would not make the pair unique. The writers insert each
  // pair once (the receipt); the event writer takes the first match, as on SQLite.
  `CREATE TABLE message_trace (
     id bigint GENERATED ALWAYS AS IDENTITY, org_guid text NOT NULL, network_message_id text NOT NULL, recipient text NOT NULL,
     received_at bigint NOT NULL, sender text NOT NULL, subject text NOT NULL, status text NOT NULL,
     from_ip text NOT NULL, to_ip text NOT NULL DEFAULT '', size bigint NOT NULL,
     internet_message_id text NOT NULL, connector text NOT NULL DEFAULT '',
     PRIMARY KEY (id, received_at)) PARTITION BY RANGE (received_at)`,
  `CREATE INDEX message_trace_org_time ON message_trace (org_guid, received_at)`,
  // Get-MessageTrace -MessageId and -RecipientAddress: equality within the organization, newest first.
  `CREATE INDEX message_trace_msgid ON message_trace (org_guid, internet_message_id)`,
  `CREATE INDEX message_trace_recipient ON message_trace (org_guid, lower(recipient), received_at)`,
  // A later event finds its row by NetworkMessageId (one probe per day partition).
  `CREATE INDEX message_trace_network_id ON message_trace (network_message_id)`,
  `CREATE TABLE trace_events (
     id bigint GENERATED ALWAYS AS IDENTITY, trace_id bigint NOT NULL, trace_received_at bigint NOT NULL,
     at bigint NOT NULL, event text NOT NULL, action text NOT NULL DEFAULT '', detail text NOT NULL DEFAULT '', data text NOT NULL DEFAULT '')
     PARTITION BY RANGE (trace_received_at)`,
  `CREATE INDEX trace_events_trace ON trace_events (trace_id)`,
  `CREATE VIEW message_trace_events AS
     SELECT e.id, t.org_guid, t.network_message_id, t.recipient, e.at, e.event, e.action, e.detail, e.data
       FROM trace_events e JOIN message_trace t ON t.id = e.trace_id AND t.received_at = e.trace_received_at`,
];

/**
 * The day partitions of every partitioned table of the schema: ensure creates `<table>_pYYYYMMDD`
 * for `days` UTC days from `first_day` (an advisory lock keeps two nodes starting at once from
 * racing), drop removes those whose whole day lies before `cutoff_day`. Both go by catalog, so a
 * partitioned table a later migration adds is covered without changing them.
 */
export const PARTITION_FUNCTIONS_DDL: string[] = [
  `CREATE FUNCTION postern_day_partitioned_tables() RETURNS SETOF text LANGUAGE sql STABLE AS $$
     SELECT c.relname::text FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
      WHERE c.relnamespace = current_schema()::regnamespace ORDER BY 1 $$`,
  `CREATE FUNCTION postern_ensure_day_partitions(first_day date, days integer) RETURNS integer LANGUAGE plpgsql AS $$
   DECLARE t text; d date; part text; made integer := 0;
   BEGIN
     PERFORM pg_advisory_xact_lock(1886614638, 2);
     FOR t IN SELECT postern_day_partitioned_tables() LOOP
       FOR i IN 0 .. days - 1 LOOP
         d := first_day + i;
         part := t || '_p' || to_char(d, 'YYYYMMDD');
         IF to_regclass(format('%I', part)) IS NULL THEN
           EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)', part, t,
             (extract(epoch FROM d::timestamp) * 1000)::bigint, (extract(epoch FROM (d + 1)::timestamp) * 1000)::bigint);
           made := made + 1;
         END IF;
       END LOOP;
     END LOOP;
     RETURN made;
   END $$`,
  `CREATE FUNCTION postern_drop_day_partitions(cutoff_day date) RETURNS integer LANGUAGE plpgsql AS $$
   DECLARE part text; dropped integer := 0;
   BEGIN
     PERFORM pg_advisory_xact_lock(1886614638, 2);
     FOR part IN SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                  JOIN pg_class parent ON parent.oid = i.inhparent
                 WHERE parent.relname IN (SELECT postern_day_partitioned_tables())
                   AND c.relname ~ '_p[0-9]{8}$' AND to_date(right(c.relname, 8), 'YYYYMMDD') < cutoff_day LOOP
       EXECUTE format('DROP TABLE %I', part);
       dropped := dropped + 1;
     END LOOP;
     RETURN dropped;
   END $$`,
];

/** Migration 3's statements: the trace tables, the hunting tables as trace/tables.ts defines them now, and the partition functions. */
export function traceSchemaDdl(): string[] {
  return [...TRACE_DDL, ...HUNTING_TABLES.flatMap(huntingTableDdl), ...PARTITION_FUNCTIONS_DDL];
}
