// A table of results as every page shows them: scrollable on a narrow screen, column headings
// (a heading that is false is left out, e.g. an Actions column for a read-only role), rows given
// by the page, and what to say under them (e.g. that nothing matched).
import type { ReactNode } from 'react';

export function DataTable({ headings, caption, children, after }: { headings: (ReactNode | false)[]; caption?: string; children: ReactNode; after?: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {headings.map((h, i) =>
              h === false ? null : (
                <th key={i} scope="col">
                  {h}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {after}
    </div>
  );
}
