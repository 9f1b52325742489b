// Test support: Microsoft's KQL parser and binder (@kusto/language-service-next) as an oracle
// for what Kusto accepts and for the result schema (column names and types) of a query.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { HUNTING_TABLES } from '../../trace/tables.js';

export interface OracleResult { diagnostics: { pos: number; message: string }[]; columns: { name: string; type: string }[] | null }

let globals: any;

function load(): any {
  if (globals) return globals;
  const g = globalThis as any;
  if (!g.Kusto) {
    const dir = dirname(createRequire(import.meta.url).resolve('@kusto/language-service-next/package.json'));
    runInThisContext(readFileSync(join(dir, 'bridge.min.js'), 'utf8'));
    runInThisContext(readFileSync(join(dir, 'Kusto.Language.Bridge.min.js'), 'utf8'));
  }
  const L = g.Kusto.Language, S = L.Symbols;
  const tables = HUNTING_TABLES.map((t) => new S.TableSymbol.$ctor7(t.name, `(${t.columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`, null));
  globals = L.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.$ctor1('hunting', tables));
  return globals;
}

const TYPE_MAP: Record<string, string> = { int: 'int', long: 'long', real: 'real', string: 'string', bool: 'bool', datetime: 'datetime', timespan: 'timespan', dynamic: 'dynamic' };

export function kustoOracle(query: string): OracleResult {
  const g = load();
  const G = globalThis as any;
  const L = G.Kusto.Language, S = L.Symbols, Sys = G.System;
  const code = L.KustoCode.ParseAndAnalyze(query, g);
  const diags = code.GetDiagnostics();
  const diagnostics: OracleResult['diagnostics'] = [];
  for (let i = 0; i < Sys.Array.getCount(diags, L.Diagnostic); i++) {
    const d = Sys.Array.getItem(diags, i, L.Diagnostic);
    if (d.Severity === 'Error' || String(d.Severity) === 'Error' || d.Severity === 0) diagnostics.push({ pos: d.Start, message: d.Message });
  }
  const rt = code.ResultType;
  let columns: OracleResult['columns'] = null;
  if (rt && rt.Columns) {
    columns = [];
    for (let i = 0; i < Sys.Array.getCount(rt.Columns, S.ColumnSymbol); i++) {
      const c = Sys.Array.getItem(rt.Columns, i, S.ColumnSymbol);
      columns.push({ name: c.Name, type: TYPE_MAP[c.Type.Name] ?? c.Type.Name });
    }
  }
  return { diagnostics, columns };
}
