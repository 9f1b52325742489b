// SQLite DDL for the hunting tables, generated from trace/tables.ts so the gateway, the store
// and the KQL compiler share one definition.
import { HUNTING_TABLES, ORG_COLUMN, type HuntingTable, type KustoType } from '../../trace/tables.js';

const SQL_TYPE: Record<KustoType, string> = {
  string: "TEXT NOT NULL DEFAULT ''",
  datetime: 'INTEGER',
  int: 'INTEGER',
  long: 'INTEGER',
  real: 'REAL',
  bool: 'INTEGER',
  dynamic: 'TEXT',
  timespan: 'INTEGER',
};

export function huntingTableDdl(table: HuntingTable): string[] {
  const cols = table.columns.map((c) => `"${c.name}" ${SQL_TYPE[c.type]}`);
  return [
    `CREATE TABLE IF NOT EXISTS "${table.name}" ("${ORG_COLUMN}" TEXT NOT NULL, ${cols.join(', ')})`,
    `CREATE INDEX IF NOT EXISTS "${table.name}_org_time" ON "${table.name}" ("${ORG_COLUMN}", "Timestamp")`,
  ];
}

export function allHuntingDdl(): string[] {
  return HUNTING_TABLES.flatMap(huntingTableDdl);
}
