// A result set as a table; every value is rendered as text.
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
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c.name}>{formatValue(row[c.name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
