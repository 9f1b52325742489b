// `bench:smtp-ingest -- --auth`: Postern's CPU per message with sender authentication off and on,
// side by side, for the same signed message (see smtp-ingest.mjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNsd, txt } from '../test/support/nsd.ts';

const run = (cwd, cmd, args, input) => {
  const r = spawnSync(cmd, args, { cwd, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
};

/** A message of about `size` bytes from news@fabrikam.example, DKIM-signed; LF line ends (smtp-source adds CRLF). */
function signedMessage(dir, size) {
  const line = 'The quarterly figures are attached below; please review them before the meeting.\n';
  const body = line.repeat(Math.max(1, Math.ceil((size - 400) / line.length)));
  const msg = ['From: News <news@fabrikam.example>', 'To: user@bench.test', 'Subject: quarterly figures', 'Message-ID: <bench@fabrikam.example>', 'Date: Sat, 05 Dec 2026 12:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body].join('\r\n').replace(/\n(?!\r)/g, '\r\n').replace(/\r\r\n/g, '\r\n');
  // BENCH_AUTH_UNSIGNED=1: the same message unsigned (what SPF and DMARC alone cost).
  const signed = process.env.BENCH_AUTH_UNSIGNED ? msg : run(dir, 'dkimsign', ['--hcanon', 'relaxed', '--bcanon', 'relaxed', 'bench', 'fabrikam.example', join(dir, 'bench.key')], msg);
  const file = join(dir, `message-${size}.eml`);
  writeFileSync(file, signed.replace(/\r\n/g, '\n'));
  return file;
}

/** The lowest and the median of a list of figures. */
function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], all: values };
}

export async function runAuthBench({ messages, warmup, only, processes, port, smtpSource, monitor, startPostern, log, rounds = 1 }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-auth-'));
  run(dir, 'dknewkey', ['bench']);
  const key = readFileSync(join(dir, 'bench.dns'), 'utf8').trim();
  const nsd = await startNsd(join(dir, 'dns'), 30000 + Math.floor(Math.random() * 900), [
    `fabrikam.example. IN TXT ${txt('v=spf1 ip4:127.0.0.1 -all')}`,
    `bench._domainkey.fabrikam.example. IN TXT ${txt(key)}`,
    `_dmarc.fabrikam.example. IN TXT ${txt('v=DMARC1; p=reject')}`,
  ]);
  const modes = [
    ['withoutAuthentication', 'senderAuthentication: false\n'],
    ['withAuthentication', `senderAuthentication: true\ndnsServers: ['${nsd.server}']\n`],
  ];
  const results = [];
  try {
    for (const size of [1024, 32 * 1024]) {
      for (const sessions of [20, 1]) {
        if (only && only !== `${size}/${sessions}`) continue;
        const sc = { size, sessions, reuse: true };
        const file = signedMessage(dir, size);
        const row = { sizeBytes: size, sessions, connection: 'reused', messages, rounds };
        const runs = { withoutAuthentication: [], withAuthentication: [] };
        // Rounds alternate the two modes, so load from elsewhere on the machine falls on both.
        for (let round = 0; round < rounds; round++) {
          for (const [name, settings] of modes) {
            log(`auth ${name} ${size} B x ${messages}, ${sessions} session(s), round ${round + 1}/${rounds} ...`);
            const srv = await startPostern({ port: port(), processes, settings });
            try {
              if (warmup) await smtpSource(srv.port, sc, warmup, { file, from: 'news@fabrikam.example' });
              const done = monitor(srv.pid);
              const seconds = await smtpSource(srv.port, sc, messages, { file, from: 'news@fabrikam.example' });
              const use = done();
              runs[name].push({ messagesPerSecond: Math.round(messages / seconds), cpuMsPerMessage: +((use.cpuSeconds * 1000) / messages).toFixed(3), peakRssMB: use.peakRssMB });
            } finally {
              await srv.stop();
            }
          }
        }
        for (const name of Object.keys(runs)) {
          row[name] = { cpuMsPerMessage: summary(runs[name].map((r) => r.cpuMsPerMessage)), messagesPerSecond: summary(runs[name].map((r) => r.messagesPerSecond)), peakRssMB: Math.max(...runs[name].map((r) => r.peakRssMB)) };
        }
        // The lowest CPU of each mode is the least disturbed by other work on the machine.
        const a = row.withoutAuthentication.cpuMsPerMessage.min;
        const b = row.withAuthentication.cpuMsPerMessage.min;
        row.addedCpuPercent = +(((b - a) / a) * 100).toFixed(1);
        const am = row.withoutAuthentication.cpuMsPerMessage.median;
        const bm = row.withAuthentication.cpuMsPerMessage.median;
        row.addedCpuPercentOfMedians = +(((bm - am) / am) * 100).toFixed(1);
        log(`    cpu/msg (lowest of ${rounds}) ${a} ms → ${b} ms (+${row.addedCpuPercent} %); medians ${am} → ${bm} (+${row.addedCpuPercentOfMedians} %)`);
        results.push(row);
      }
    }
  } finally {
    await nsd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { benchmark: 'smtp-ingest --auth', node: process.version, warmupMessages: warmup, postern: { smtpProcesses: processes }, notes: 'the same DKIM-signed message (RSA 2048, relaxed/relaxed) for both; with authentication: SPF pass, DKIM pass, DMARC pass (p=reject) from NSD on loopback, DNS cache warmed by the warm-up; CPU of the Postern process tree during the measured load; rounds alternate the modes, addedCpuPercent compares the lowest figure of each', results };
}
