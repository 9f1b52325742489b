// The chart a KQL `render` asks for: timechart/linechart/areachart as lines, piechart as a pie,
// anything else as columns. x is `with (xcolumn=...)` or the first column; the series are
// `ycolumns` or every numeric column.
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HuntingChart as Chart, HuntingColumn } from '../api';
import { seriesColor } from './charts';
import { formatValue } from './format';

const NUMERIC = new Set(['int', 'long', 'real', 'double', 'decimal', 'number']);

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? [value] : [];
}

export function HuntingChart({ chart, columns, rows }: { chart: Chart; columns: HuntingColumn[]; rows: Record<string, unknown>[] }) {
  const x = names(chart.xcolumn)[0] ?? columns[0]?.name ?? '';
  const declared = names(chart.ycolumns);
  const ys = declared.length ? declared : columns.filter((c) => c.name !== x && NUMERIC.has(c.type.toLowerCase())).map((c) => c.name);
  // Midnight timestamps (bin(Timestamp, 1d)) read as dates.
  const data = rows.map((r) => ({ ...r, [x]: formatValue(r[x]).replace(/T00:00:00(\.000)?Z$/, '') }));
  const type = chart.kind.toLowerCase();
  const title = typeof chart.title === 'string' ? chart.title : `${chart.kind} of ${ys.join(', ')} by ${x}`;
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={300}>
        {type === 'piechart' ? (
          <PieChart accessibilityLayer>
            <Tooltip />
            <Legend />
            <Pie isAnimationActive={false} data={data} dataKey={ys[0] ?? ''} nameKey={x} label>
              {data.map((_, i) => (
                <Cell key={i} fill={seriesColor('', i)} />
              ))}
            </Pie>
          </PieChart>
        ) : ['timechart', 'linechart', 'areachart'].includes(type) ? (
          <LineChart data={data} accessibilityLayer>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey={x} />
            <YAxis />
            <Tooltip />
            <Legend />
            {ys.map((y, i) => (
              <Line isAnimationActive={false} key={y} dataKey={y} stroke={seriesColor(y, i)} dot={false} />
            ))}
          </LineChart>
        ) : (
          <BarChart data={data} accessibilityLayer>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey={x} />
            <YAxis />
            <Tooltip />
            <Legend />
            {ys.map((y, i) => (
              <Bar isAnimationActive={false} key={y} dataKey={y} fill={seriesColor(y, i)} />
            ))}
          </BarChart>
        )}
      </ResponsiveContainer>
    </figure>
  );
}
