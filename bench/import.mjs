#!/usr/bin/env node
// `postern import` of a large export beside sqlite3's own `.import --csv` of the same file (the
// ceiling: a bare CSV load into one table, no validation, no mapping, no message trace). Prints
// JSON: rows, bytes, seconds, rows/s, MB/s, CPU seconds and peak RSS of each, and the ratio.
// The export is Get-MessageTraceV2 | Export-Csv (UTF-8, every field quoted, a comma in every
// subject); --utf16 writes a historical search report in UTF-16 LE instead.
//
//   npm run build && node bench/import.mjs [--rows 1000000] [--utf16]
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitor, POSTERN, prepareDataDir } from './support.mjs';

const args = process.argv.slice(2);
const rows = Number(args[args.indexOf('--rows') + 1]) || 1_000_000;
const utf16 = args.includes('--utf16');
const dir = mkdtempSync(join(tmpdir(), 'postern-bench-import-'));

const q = (v) => `"${String(v).replace(/"/g, '""')}"`;
const HEADERS = {
  trace: ['Received', 'SenderAddress', 'RecipientAddress', 'Subject', 'Status', 'ToIP', 'FromIP', 'Size', 'MessageId', 'MessageTraceId'],
  historical: ['origin_timestamp_utc', 'sender_address', 'recipient_status', 'message_subject', 'total_bytes', 'message_id', 'network_message_id', 'original_client_ip', 'directionality', 'connector_id', 'delivery_priority'],
};
function line(i) {
  const t = new Date(Date.now() - 20 * 86_400_000 + i * 1000);
  const id = `${(i >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  const ip = `198.51.100.${i % 250}`;
  if (utf16) return [t.toISOString(), `s${i % 50}@contoso.com`, `r${i % 500}@contoso.com##Receive, Deliver`, `Scan ${i}, page 1`, 1000 + (i % 9000), `<m${i}@contoso.com>`, id, ip, '1', '', 'Normal'].map(q).join(',');
  const us = `${t.getUTCMonth() + 1}/${t.getUTCDate()}/${t.getUTCFullYear()} ${((t.getUTCHours() + 11) % 12) + 1}:${String(t.getUTCMinutes()).padStart(2, '0')}:${String(t.getUTCSeconds()).padStart(2, '0')} ${t.getUTCHours() < 12 ? 'AM' : 'PM'}`;
  return [us, `s${i % 50}@contoso.com`, `r${i % 500}@contoso.com`, `Scan ${i}, page 1`, 'Delivered', '', ip, 1000 + (i % 9000), `<m${i}@contoso.com>`, id].map(q).join(',');
}

async function writeExport(file) {
  const out = createWriteStream(file);
  const enc = (s) => (utf16 ? Buffer.from(s, 'utf16le') : Buffer.from(s));
  if (utf16) out.write(Buffer.from([0xff, 0xfe]));
  const header = (utf16 ? HEADERS.historical : HEADERS.trace).map(q).join(',');
  let chunk = [header];
  for (let i = 0; i < rows; i++) {
    chunk.push(line(i));
    if (chunk.length === 10_000) {
      if (!out.write(enc(chunk.join('\r\n') + '\r\n'))) await new Promise((r) => out.once('drain', r));
      chunk = [];
    }
  }
  out.write(enc(chunk.length ? chunk.join('\r\n') + '\r\n' : ''));
  await new Promise((r) => out.end(r));
}

function run(cmd, argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const proc = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
    const measure = monitor(proc.pid);
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    if (opts.input) proc.stdin.end(opts.input);
    else proc.stdin.end();
    proc.on('exit', (code) => {
      const m = measure();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${stderr}`));
      else resolve({ seconds, stdout, ...m });
    });
  });
}

const figures = (r, bytes) => ({ seconds: +r.seconds.toFixed(2), rowsPerSecond: Math.round(rows / r.seconds), MBPerSecond: +(bytes / 1048576 / r.seconds).toFixed(1), cpuSeconds: r.cpuSeconds, peakRssMB: r.peakRssMB });

try {
  const file = join(dir, utf16 ? 'report.csv' : 'trace.csv');
  await writeExport(file);
  const bytes = statSync(file).size;
  const data = join(dir, 'data');
  prepareDataDir(data, [{ Name: 'Contoso', Guid: '6f1c3d2e-0000-4000-8000-000000000001', AcceptedDomains: [{ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true }], Delivery: { kind: 'discard' }, DomainDelivery: {}, Config: { RejectDirectSend: false }, InboundConnectors: [], TransportRules: [] }]);
  const postern = await run(process.execPath, [POSTERN, 'import', file, '-o', 'Contoso', '-d', data, '-f', 'json']);
  const [summary] = JSON.parse(postern.stdout);
  // The peer: the same file into one table by sqlite3's CSV importer (it reads UTF-8 only: the
  // UTF-16 report goes in converted, outside the timing).
  let peerFile = file;
  if (utf16) {
    peerFile = join(dir, 'report-utf8.csv');
    execFileSync('sh', ['-c', `iconv -f UTF-16 -t UTF-8 '${file}' > '${peerFile}'`]);
  }
  const peer = await run('sqlite3', [join(dir, 'peer.db')], { input: `.import --csv '${peerFile}' t\n` });
  const p = figures(postern, bytes);
  const s = figures(peer, bytes);
  console.log(JSON.stringify({
    benchmark: 'import', format: summary.Format, rows, bytes, imported: summary.Imported, skipped: summary.Skipped,
    postern: p, sqlite3Import: s, posternToSqlite3Time: +(p.seconds / s.seconds).toFixed(2),
  }, null, 2));
  if (summary.Imported !== rows) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
