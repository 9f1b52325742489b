#!/usr/bin/env node
// Growth: how ingest speed, memory and the database change as the trace fills up. Postern
// (smtpProcesses auto, discard delivery) takes `--messages` 1 KB messages from smtp-source (20
// sessions, connections reused) in steps of `--step`; after each step it prints throughput, the
// server's RSS and the database's bytes per message. At the end: the bytes per table and index
// (SQLite's dbstat), and at that size the Direct Send article's hunting query and a message-trace
// lookup by Message-ID, each through the `postern` command and as hand-written SQL (the peer).
//
//   npm run build && node bench/growth.mjs [--messages 1000000] [--step 100000]
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { load, POSTERN, startPostern, tree, usage } from './support.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const MESSAGES = arg('--messages', 1_000_000);
const STEP = arg('--step', Math.min(100_000, MESSAGES));
const log = (...a) => process.stderr.write(a.join(' ') + '\n');
const size = (f) => (existsSync(f) ? statSync(f).size : 0);
const ms = (t0) => +(performance.now() - t0).toFixed(1);

const ARTICLE_KQL = `EmailEvents
| where Timestamp > ago(30d)
| where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4)
| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6`;
const ARTICLE_SQL = `SELECT Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6
  FROM EmailEvents WHERE OrgId = ? AND Timestamp > ? AND EmailDirection = 'Inbound' AND Connectors = '' AND SenderIPv4 <> ''`;

/** Median wall time of `runs` calls of fn, in ms. */
function median(fn, runs = 3) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(ms(t0));
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

// Below the ephemeral range (32768+), so outgoing connections never hold the port.
const srv = await startPostern({ port: 22000 + Math.floor(Math.random() * 2000) });
const dbFile = join(srv.dir, 'postern.db');
const steps = [];
let total = 0;
try {
  while (total < MESSAGES) {
    const n = Math.min(STEP, MESSAGES - total);
    log(`growth: messages ${total + 1}-${total + n} of ${MESSAGES} ...`);
    const seconds = await load(srv.port, { size: 1024, sessions: 20, reuse: true }, n);
    await srv.drained(600_000);
    total += n;
    // The WAL file keeps its high-water size between checkpoints; it is reported on its own.
    const bytes = size(dbFile);
    const peek = new Database(dbFile, { readonly: true });
    const freeBytes = peek.pragma('freelist_count', { simple: true }) * peek.pragma('page_size', { simple: true });
    peek.close();
    const row = { messages: total, messagesPerSecond: Math.round(n / seconds), serverRssMB: +(usage(tree(srv.pid)).rss / 1048576).toFixed(1), databaseMB: +(bytes / 1048576).toFixed(1), walMB: +(size(`${dbFile}-wal`) / 1048576).toFixed(1), freeMB: +(freeBytes / 1048576).toFixed(1), bytesPerMessage: Math.round(bytes / total) };
    log(`  ${row.messagesPerSecond} msg/s, RSS ${row.serverRssMB} MB, database ${row.databaseMB} MB (WAL ${row.walMB} MB, free pages ${row.freeMB} MB) (${row.bytesPerMessage} B/message)`);
    steps.push(row);
  }

  log('growth: bytes per table and index (dbstat) ...');
  const db = new Database(dbFile, { readonly: true });
  const perObject = db
    .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC')
    .all()
    .map((r) => ({ name: r.name, bytesPerMessage: Math.round(r.bytes / total) }))
    .filter((r) => r.bytesPerMessage > 1);

  log('growth: queries at this size ...');
  const org = db.prepare('SELECT guid FROM organizations').pluck().get();
  const sample = db.prepare('SELECT internet_message_id FROM message_trace WHERE rowid = (SELECT max(rowid) / 2 FROM message_trace)').pluck().get();
  const messageId = String(sample ?? '').replace(/^<|>$/g, '');
  const since = Date.now() - 30 * 86_400_000;
  const articleSql = db.prepare(ARTICLE_SQL);
  const traceSql = db.prepare('SELECT network_message_id, recipient, status FROM message_trace WHERE org_guid = ? AND internet_message_id IN (?, ?)');
  const cli = (...a) => execFileSync(process.execPath, [POSTERN, ...a, '-d', srv.dir], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  const queries = {
    articleHunt: {
      rows: articleSql.all(org, since).length,
      posternHuntMs: median(() => cli('hunt', ARTICLE_KQL, '--format', 'json')),
      handWrittenSqlMs: median(() => articleSql.all(org, since)),
    },
    messageTraceByMessageId: {
      messageId,
      posternShellMs: median(() => cli('shell', '-c', `Get-MessageTrace -MessageId '${messageId}' | Format-Table`)),
      handWrittenSqlMs: median(() => traceSql.all(org, messageId, `<${messageId}>`)),
      cliStartupMs: median(() => cli('status', '--format', 'json')),
    },
  };
  db.close();
  console.log(JSON.stringify({ benchmark: 'growth', node: process.version, messageBytes: 1024, sessions: 20, connection: 'reused', delivery: 'discard', steps, perObject, queries, notes: 'bytesPerMessage is postern.db (without its WAL, reported as walMB) over every message so far; perObject is dbstat page bytes per message; the postern command times include starting the CLI (cliStartupMs is `postern status` alone)' }, null, 2));
} finally {
  await srv.stop();
}
