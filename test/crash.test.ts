// Nothing lost: kill -9 the server while 20 clients send; after a restart every message that got
// "250" is delivered. Duplicates (possible when the crash lands between the Maildir rename and
// the queue update) are counted and reported, never silently dropped.
import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { contoso, importOrgs, maildirMessages, query, startPostern, tempDir, waitFor } from './support/postern.js';

describe('crash safety', () => {
  it('delivers every acknowledged message after kill -9 and restart', async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    let pg = await startPostern(dir);
    const accepted = new Set<string>();
    let stop = false;
    const clients = Array.from({ length: 20 }, async (_, c) => {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: pg.smtpPort, secure: false, ignoreTLS: true, pool: false } as any);
      for (let n = 0; !stop; n++) {
        const subject = `crash-${c}-${n}`;
        try {
          const info = await t.sendMail({ from: `c${c}@fabrikam.com`, to: 'vault@contoso.com', subject, text: `payload ${c} ${n}\n`.repeat(20) });
          if (/^250 /.test(info.response)) accepted.add(subject);
        } catch {
          return; // the server died under us: this message was never acknowledged
        }
      }
    });
    await waitFor(() => accepted.size >= 100, 20_000, '100 accepted messages');
    pg.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await pg.stop();

    pg = await startPostern(dir);
    try {
      await waitFor(() => query(dir, "SELECT count(*) AS n FROM queue_recipients WHERE status = 'queued'")[0].n === 0, 30_000, 'queue drained');
      const delivered = maildirMessages(dir, 'vault@contoso.com').map((m) => m.match(/^Subject: (crash-\d+-\d+)/m)?.[1]);
      const counts = new Map<string, number>();
      for (const s of delivered) if (s) counts.set(s, (counts.get(s) ?? 0) + 1);
      const missing = [...accepted].filter((s) => !counts.has(s));
      const duplicates = [...counts.values()].filter((n) => n > 1).length;
      console.log(`crash test: accepted ${accepted.size}, delivered ${counts.size} distinct, missing ${missing.length}, duplicates ${duplicates}`);
      expect(missing).toEqual([]);
    } finally {
      await pg.stop();
    }
  });
});
