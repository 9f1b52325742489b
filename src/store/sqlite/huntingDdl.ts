// SQLite DDL for the hunting tables, generated from trace/tables.ts so the gateway, the store
// and the KQL compiler share one definition.
import { HUNTING_TABLES, ORG_COLUMN, type HuntingColumn, type HuntingTable, type KustoType } from '../../trace/tables.js';

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

/** Columns added to hunting tables after their first release, by table name: a migration adds
 * them to existing databases (`addHuntingColumns`), and the tables' first creation leaves them out. */
export type HuntingColumnGroup = Record<string, string[]>;

const column = (c: HuntingColumn) => `"${c.name}" ${SQL_TYPE[c.type]}`;

export function huntingTableDdl(table: HuntingTable, omit: HuntingColumnGroup[] = []): string[] {
  const later = new Set(omit.flatMap((g) => g[table.name] ?? []));
  const cols = table.columns.filter((c) => !later.has(c.name)).map(column);
  return [
    `CREATE TABLE IF NOT EXISTS "${table.name}" ("${ORG_COLUMN}" TEXT NOT NULL, ${cols.join(', ')})`,
    `CREATE INDEX IF NOT EXISTS "${table.name}_org_time" ON "${table.name}" ("${ORG_COLUMN}", "Timestamp")`,
  ];
}

/** The hunting tables as trace/tables.ts defines them, less the columns and tables later migrations add. */
export function allHuntingDdl(omit: HuntingColumnGroup[] = [], laterTables: readonly string[] = []): string[] {
  return HUNTING_TABLES.filter((t) => !laterTables.includes(t.name)).flatMap((t) => huntingTableDdl(t, omit));
}

/** One hunting table as trace/tables.ts defines it (a migration that adds a table). */
export function addHuntingTable(name: string): string[] {
  const table = HUNTING_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`addHuntingTable: no hunting table ${name}`);
  return huntingTableDdl(table);
}

/** ALTER TABLE statements adding a group of columns, typed as trace/tables.ts defines them. */
export function addHuntingColumns(group: HuntingColumnGroup): string[] {
  return Object.entries(group).flatMap(([name, cols]) => {
    const table = HUNTING_TABLES.find((t) => t.name === name);
    if (!table) throw new Error(`addHuntingColumns: no hunting table ${name}`);
    return cols.map((c) => {
      const col = table.columns.find((x) => x.name === c);
      if (!col) throw new Error(`addHuntingColumns: no column ${name}.${c} in trace/tables.ts`);
      return `ALTER TABLE "${name}" ADD COLUMN ${column(col)}`;
    });
  });
}
