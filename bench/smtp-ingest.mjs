#!/usr/bin/env node
// SMTP ingest: Postern (full pipeline, fsync on) beside Postfix (durable queue, delivering to
// discard) and smtp-sink (protocol ceiling, nothing stored), all loaded by Postfix's smtp-source
// in the same run. Prints JSON: messages/s, CPU seconds and peak RSS of each server's process
// tree, and the Postern/Postfix ratio, for 1 KB and 32 KB messages, 20 sessions and 1, one
// connection per message and connections reused (smtp-source -d).
//
// Postern runs as a serious deployment would: one SMTP process per core (smtpProcesses: auto),
// delivering to a discard target like Postfix's discard transport. POSTERN_DELIVERY=smtp makes
// it deliver to an smtp-sink next hop instead (the whole relay path); POSTERN_PROCESSES=1 runs it
// in one process. With a next hop, Postern's row also says how long the queue took to drain
// (every message delivered, counted from the start of the load) and the CPU used until then:
// delivery runs on after the load ends, so CPU over the load alone would leave part of it out.
// --mime sends a 32 KB MIME message instead of filler (text and HTML with links, a PDF and a ZIP
// attachment in base64), the load that content inspection (attachments, URLs, cluster id) costs most on.
//
//   npm run bench:smtp-ingest -- [--messages 10000] [--warmup 1000] [--quick] [--only 1024/20] [--mime]
//
// --relay: Postern and Postfix each relaying to their own smtp-sink next hop (Postfix's smtp
// transport), drain-time throughput and CPU of each whole process tree (see relay.mjs).
//
//   npm run bench:smtp-ingest -- --relay [--messages 10000] [--only 1024/20]
//
// --auth: the cost of sender authentication, side by side. Postern with and without it, loaded
// with the same DKIM-signed message (python3-dkim, RSA 2048) from a domain whose SPF, DKIM key and
// DMARC p=reject an NSD on loopback serves, so every check passes; the warm-up fills the DNS
// cache. Prints CPU per message of each and the added share; --rounds N (default 3) alternates
// the two modes N times and compares the lowest figures.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { startPostfix } from '../test/support/postfix.mjs';
import { load as smtpSource, monitor, startPostern } from './support.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const messages = Number(args[args.indexOf('--messages') + 1]) || (quick ? 2000 : 10_000);
const WARMUP = args.includes('--warmup') ? Number(args[args.indexOf('--warmup') + 1]) : 1000;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined; // e.g. 1024/20 (mime/20 with --mime)
const CASES = args.includes('--mime') ? ['mime/20', 'mime/1'] : ['1024/20', '1024/1', '32768/20', '32768/1'];
if (only !== undefined && !CASES.includes(only)) {
  process.stderr.write(`smtp-ingest: --only takes one of ${CASES.join(', ')} (size in bytes/sessions), not '${only}'\n`);
  process.exit(2);
}
const mime = args.includes('--mime');
const DELIVERY = process.env.POSTERN_DELIVERY === 'smtp' ? 'smtp' : 'discard';
const PROCESSES = process.env.POSTERN_PROCESSES ?? 'auto';
const log = (...a) => process.stderr.write(a.join(' ') + '\n');
let nextPort = Number(process.env.BENCH_PORT_BASE) || 26000 + Math.floor(Math.random() * 2000); // below the ephemeral range (32768+)
const port = () => nextPort++;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- servers ---------------------------------------------------------------------------------
async function startSink() {
  const p = port();
  const proc = spawn('smtp-sink', ['-u', 'nobody', `127.0.0.1:${p}`, '1024'], { stdio: 'ignore' });
  await sleep(300);
  return { port: p, pid: proc.pid, stop: async () => { proc.kill('SIGKILL'); await sleep(100); } };
}

function startPosternServer(nextHopPort) {
  const delivery = DELIVERY === 'smtp' ? { kind: 'smtp', host: '127.0.0.1', port: nextHopPort, starttls: 'none' } : { kind: 'discard' };
  return startPostern({ port: port(), processes: PROCESSES, delivery }).then((srv) => ({ ...srv, drained: DELIVERY === 'smtp' ? srv.drained : undefined }));
}

async function startPostfixServer() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-postfix-'));
  const p = port();
  const pf = startPostfix(dir, { listenPort: p, discard: true, extra: ['smtpd_client_connection_count_limit = 0', 'default_process_limit = 200', 'in_flow_delay = 0'] });
  await sleep(500);
  const pid = Number(readFileSync(join(dir, 'queue', 'pid', 'master.pid'), 'utf8').trim());
  return { port: p, pid, stop: async () => { pf.stop(); await sleep(300); rmSync(dir, { recursive: true, force: true }); } };
}

/** A 32 KB MIME message as a mail client writes it, in a file for smtp-source -F (LF line ends: it adds the CR). */
async function mimeMessageFile() {
  const links = Array.from({ length: 12 }, (_, i) => `<li><a href="https://portal${i}.example.com/documents/view?id=${1000 + i}&amp;ref=mail">Document ${i + 1}</a> shared with you, please review before Friday.</li>`).join('\n');
  const composer = new MailComposer({
    from: 'Fabrikam Billing <billing@fabrikam.example>', to: 'user@bench.test', subject: 'Invoices for review https://portal.example.com/inbox',
    text: 'Hello,\n\nThe invoices are attached; the portal is at https://portal.example.com/inbox and www.fabrikam.example/help.\n\nRegards,\nBilling',
    html: `<html><body><p>Hello,</p><p>The invoices are attached.</p><ul>${links}</ul><p>Regards,<br>Billing</p></body></html>`,
    attachments: [
      { filename: 'invoice-2041.pdf', content: Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(14_000)]) },
      { filename: 'statements.zip', content: Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(7_500)]) },
    ],
  });
  const raw = await new Promise((res, rej) => composer.compile().build((e, m) => (e ? rej(e) : res(m))));
  const file = join(mkdtempSync(join(tmpdir(), 'bench-mime-')), 'message.eml');
  writeFileSync(file, raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  return { file, size: raw.length };
}

// --- --auth: with and without sender authentication -----------------------------------------------
if (args.includes('--auth')) {
  const { runAuthBench } = await import('./auth.mjs');
  const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 3;
  console.log(JSON.stringify(await runAuthBench({ messages, warmup: WARMUP, only, processes: PROCESSES, port, smtpSource, monitor, startPostern, log, rounds }), null, 2));
  process.exit(0);
}

// --- --relay: the whole relay path beside Postfix relaying to the same kind of next hop -----------
if (args.includes('--relay')) {
  const { runRelayBench } = await import('./relay.mjs');
  // 10,000 messages per case as the issue measured them; half at 32 KB, a fifth at one session.
  const messagesFor = (sc) => Math.round(messages / (sc.size > 1024 ? 2 : 1) / (sc.sessions === 1 ? 5 : 1));
  console.log(JSON.stringify(await runRelayBench({ quick, only, warmup: WARMUP, processes: PROCESSES, port, smtpSource, monitor, startPostern, startSink, log, messagesFor }), null, 2));
  process.exit(0);
}

// --- the run -----------------------------------------------------------------------------------
const scenarios = [];
const message = mime ? await mimeMessageFile() : undefined;
for (const size of message ? [message.size] : [1024, 32 * 1024]) {
  for (const sessions of [20, 1]) for (const reuse of [false, true]) if (!only || only === `${message ? 'mime' : size}/${sessions}`) scenarios.push({ size, sessions, reuse, file: message?.file });
}
const results = [];
const sinkForPostern = await startSink();
for (const [i, sc] of scenarios.entries()) {
  const row = { sizeBytes: sc.size, ...(sc.file ? { message: 'MIME: text, HTML with 13 links, PDF and ZIP attachments' } : {}), sessions: sc.sessions, connection: sc.reuse ? 'reused' : 'per-message', messages };
  for (const [name, start] of [['smtpSink', startSink], ['postfix', startPostfixServer], ['postern', () => startPosternServer(sinkForPostern.port)]]) {
    log(`[${i + 1}/${scenarios.length}] ${name} ${sc.size} B x ${messages}, ${sc.sessions} session(s), ${row.connection} ...`);
    const srv = await start();
    // Steady state for every server alike: the same load, unmeasured, before the measured run
    // (a fresh Node process spends its first seconds compiling hot code; Postfix spawns its
    // smtpd and cleanup processes on first use).
    if (WARMUP) await smtpSource(srv.port, sc, WARMUP);
    await srv.drained?.(); // the warm-up's deliveries don't spill into the measured run
    const done = monitor(srv.pid);
    try {
      const t0 = process.hrtime.bigint();
      const seconds = await smtpSource(srv.port, sc, messages);
      row[name] = { messagesPerSecond: Math.round(messages / seconds), seconds: +seconds.toFixed(2), ...done() };
      if (srv.drained) {
        const again = monitor(srv.pid); // CPU from here to the drain, added to the load's
        await srv.drained();
        const toDrain = Number(process.hrtime.bigint() - t0) / 1e9;
        row[name].drained = { deliveredPerSecond: Math.round(messages / toDrain), seconds: +toDrain.toFixed(2), cpuSeconds: +(row[name].cpuSeconds + again().cpuSeconds).toFixed(2) };
      }
    } catch (e) {
      done();
      row[name] = { error: String(e.message ?? e) };
    }
    await srv.stop();
  }
  row.ratioPosternToPostfix = row.postern?.messagesPerSecond && row.postfix?.messagesPerSecond ? +(row.postern.messagesPerSecond / row.postfix.messagesPerSecond).toFixed(2) : null;
  log(`    postern ${row.postern?.messagesPerSecond}/s${row.postern?.drained ? ` (all delivered at ${row.postern.drained.deliveredPerSecond}/s)` : ''}, postfix ${row.postfix?.messagesPerSecond}/s, sink ${row.smtpSink?.messagesPerSecond}/s, ratio ${row.ratioPosternToPostfix}`);
  results.push(row);
}
await sinkForPostern.stop();
console.log(JSON.stringify({ benchmark: 'smtp-ingest', node: process.version, warmupMessages: WARMUP, cpus: (await import('node:os')).cpus().length, postern: { delivery: DELIVERY === 'smtp' ? 'smtp-sink next hop' : 'discard', smtpProcesses: PROCESSES }, notes: 'each server gets warmupMessages of the same load, unmeasured, first; postern: full pipeline (attribution, header firewall, rules, trace and EmailEvents rows) made durable before 250 (messages up to 64 KB in the queue row with the WAL fsync, larger ones in an fsynced spool file and directory), then delivered by the queue runner; postfix: durable queue, discard transport; smtp-sink: protocol ceiling', results }, null, 2));
