// Dates as Exchange Online's en-US sessions read them.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Parses a date the way Exchange Online's en-US sessions do: M/d/yyyy [h:mm[:ss] [AM|PM]],
 * ISO 8601, yyyy-MM-dd, "1 Nov 2026". Times without a zone are UTC (Postern runs in UTC).
 */
export function parseDateTime(text: string): Date | undefined {
  const s = text.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i.exec(s);
  if (m) return build(+m[3], +m[1], +m[2], m[4], m[5], m[6], m[7]);
  m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(s);
  if (m) return build(+m[1], +m[2], +m[3]);
  m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    if (m[8]) {
      const d = new Date(s.replace(' ', 'T'));
      return Number.isNaN(d.getTime()) ? undefined : d;
    }
    const d = build(+m[1], +m[2], +m[3], m[4], m[5], m[6]);
    if (d && m[7]) d.setUTCMilliseconds(Math.round(Number(m[7]) * 1000));
    return d;
  }
  m = /^(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*[ -,]+(\d{4})$/.exec(s);
  if (m && MONTHS.includes(m[2].toLowerCase())) return build(+m[3], MONTHS.indexOf(m[2].toLowerCase()) + 1, +m[1]);
  m = /^([A-Za-z]{3})[A-Za-z]*\.? (\d{1,2}),? (\d{4})$/.exec(s);
  if (m && MONTHS.includes(m[1].toLowerCase())) return build(+m[3], MONTHS.indexOf(m[1].toLowerCase()) + 1, +m[2]);
  return undefined;

  function build(y: number, mo: number, d: number, h?: string, mi?: string, se?: string, ampm?: string): Date | undefined {
    let hour = h ? +h : 0;
    if (ampm) {
      if (hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
    }
    const date = new Date(Date.UTC(y, mo - 1, d, hour, mi ? +mi : 0, se ? +se : 0));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || hour > 23) return undefined;
    return date;
  }
}

