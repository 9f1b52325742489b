// A result set as a table; every value is rendered as text. The first rows only: a browser table
// of tens of thousands of rows is unusable, and the CSV export has them all.

const SHOWN = 1000;
import type { HuntingColumn } from '../api';
import { formatValue } from './format';

export function ResultsGrid({ columns, rows, caption }: { columns: HuntingColumn[]; rows: Record<string, unknown>[]; caption: string }) {
  return (
    <div className="table-wrap results">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c.name} title={c.type}>
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, SHOWN).map((row, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c.name}>{formatValue(row[c.name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > SHOWN && <p className="hint">{`The first ${SHOWN} of ${rows.length} rows; Export CSV has them all.`}</p>}
    </div>
  );
}
