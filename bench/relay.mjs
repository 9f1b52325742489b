// --relay (bench/smtp-ingest.mjs): the whole relay path, Postern beside Postfix, each relaying the
// same smtp-source load to its own smtp-sink next hop (Postfix through its smtp transport, durable
// queue on both sides). The figure is drain-time throughput: from the first message sent until
// the last one has left the queue for the sink. CPU counts each server's whole process tree,
// children it has reaped included, and its sink; peak RSS likewise.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostfix } from '../test/support/postfix.mjs';

/** Files in Postfix's queue (incoming, active, deferred, maildrop, hold): 0 when everything has left. */
function postfixQueued(queueDir) {
  let n = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(d, e.name));
      else n++;
    }
  };
  for (const q of ['maildrop', 'incoming', 'active', 'deferred', 'hold']) walk(join(queueDir, q));
  return n;
}

async function waitFor(empty, timeoutMs = 600_000) {
  const t0 = Date.now();
  while (!empty()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('the queue did not drain');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runRelayBench({ quick, only, warmup, processes, port, smtpSource, monitor, startPostern, startSink, log, messagesFor }) {
  const scenarios = [];
  for (const size of [1024, 32 * 1024]) for (const sessions of [20, 1]) for (const reuse of [false, true]) if (!only || only === `${size}/${sessions}`) scenarios.push({ size, sessions, reuse });

  const servers = {
    postfix: async (sink) => {
      const dir = mkdtempSync(join(tmpdir(), 'bench-postfix-relay-'));
      const p = port();
      const pf = startPostfix(dir, { listenPort: p, relayPort: sink.port, extra: ['smtpd_client_connection_count_limit = 0', 'default_process_limit = 200', 'in_flow_delay = 0'] });
      await new Promise((r) => setTimeout(r, 500));
      const pid = Number(readFileSync(join(dir, 'queue', 'pid', 'master.pid'), 'utf8').trim());
      return { port: p, pid, drained: () => waitFor(() => postfixQueued(join(dir, 'queue')) === 0), stop: async () => { pf.stop(); await new Promise((r) => setTimeout(r, 300)); rmSync(dir, { recursive: true, force: true }); } };
    },
    postern: (sink) => startPostern({ port: port(), processes, delivery: { kind: 'smtp', host: '127.0.0.1', port: sink.port, starttls: 'none' } }),
  };

  const results = [];
  for (const [i, sc] of scenarios.entries()) {
    const messages = messagesFor(sc);
    const row = { sizeBytes: sc.size, sessions: sc.sessions, connection: sc.reuse ? 'reused' : 'per-message', messages };
    for (const name of ['postfix', 'postern']) {
      log(`[${i + 1}/${scenarios.length}] ${name} relaying ${sc.size} B x ${messages}, ${sc.sessions} session(s), ${row.connection} ...`);
      const sink = await startSink();
      const srv = await servers[name](sink);
      try {
        // Steady state for both alike: the same load, unmeasured and delivered, first.
        if (warmup) await smtpSource(srv.port, sc, warmup);
        await srv.drained();
        const done = monitor(srv.pid, sink.pid);
        const t0 = process.hrtime.bigint();
        const accepted = await smtpSource(srv.port, sc, messages);
        await srv.drained();
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const used = done();
        row[name] = { deliveredPerSecond: Math.round(messages / seconds), drainSeconds: +seconds.toFixed(2), acceptedPerSecond: Math.round(messages / accepted), cpuSeconds: used.cpuSeconds, cpuMsPerMessage: +((used.cpuSeconds * 1000) / messages).toFixed(3), peakRssMB: used.peakRssMB };
      } catch (e) {
        row[name] = { error: String(e.message ?? e) };
      }
      await srv.stop();
      await sink.stop();
    }
    const a = row.postern, b = row.postfix;
    row.drainRatioPosternToPostfix = a?.deliveredPerSecond && b?.deliveredPerSecond ? +(a.deliveredPerSecond / b.deliveredPerSecond).toFixed(2) : null;
    row.cpuRatioPosternToPostfix = a?.cpuSeconds && b?.cpuSeconds ? +(a.cpuSeconds / b.cpuSeconds).toFixed(2) : null;
    log(`    postern ${a?.deliveredPerSecond}/s (${a?.cpuMsPerMessage} ms CPU/msg), postfix ${b?.deliveredPerSecond}/s (${b?.cpuMsPerMessage} ms CPU/msg): drain ratio ${row.drainRatioPosternToPostfix}, CPU ratio ${row.cpuRatioPosternToPostfix}`);
    results.push(row);
  }
  return {
    benchmark: 'smtp-relay',
    node: process.version,
    quick,
    warmupMessages: warmup,
    postern: { smtpProcesses: processes },
    notes: 'each server relays to its own smtp-sink next hop; drain = from the first message sent until the last left the queue; CPU = the server\'s process tree including reaped children, plus its sink; both servers get warmupMessages of the same load, delivered, first',
    results,
  };
}
