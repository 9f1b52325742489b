// Gateway core over real SMTP: swaks against a real `postern serve`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contoso, importOrgs, maildirMessages, query, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

let pg: Running;
const server = () => `127.0.0.1:${pg.smtpPort}`;

beforeAll(async () => {
  const dir = tempDir();
  importOrgs(dir, [contoso()]);
  pg = await startPostern(dir, { limits: { maxMessageSize: 200_000 } });
});
afterAll(async () => {
  await pg?.stop();
});

describe('receiving and delivering to the Maildir', () => {
  it('delivers a STARTTLS message byte-identical, with a Received header naming TLS version and cipher', async () => {
    const original = 'From: sender@fabrikam.com\r\nTo: alice@contoso.com\r\nSubject: byte test\r\n\r\nLine one\r\nLine two with ünïcödé\r\n.leading dot line\r\n\ttabbed  spaced  \r\n';
    const file = join(pg.dataDir, 'message.eml');
    writeFileSync(file, original);
    const r = swaks(['--server', server(), '--tls', '--from', 'sender@fabrikam.com', '--to', 'alice@contoso.com', '--data', file]);
    expect(r.out).toMatch(/250 2\.0\.0 OK <\w+>/);
    const [msg] = await waitFor(() => maildirMessages(pg.dataDir, 'alice@contoso.com').length && maildirMessages(pg.dataDir, 'alice@contoso.com'), 10_000, 'delivery');
    expect(msg).toMatch(/^Received: from .*\r\n\tby postern\.localhost \(Postern\) with ESMTPS \(version=TLSv1\.3 cipher=TLS_AES_\w+\)/);
    // Postern only adds fields on top: everything from the sender's first header on is identical.
    // (swaks ends DATA with <CRLF>.<CRLF> after the file, so it transmits one more CRLF.)
    expect(msg.slice(msg.indexOf('From: sender@fabrikam.com'))).toBe(original + '\r\n');
  });

  it('traces the message: RECEIVE then DELIVER, and one EmailEvents row per recipient', async () => {
    const r = swaks(['--server', server(), '--from', 'ops@fabrikam.com', '--to', 'bob@contoso.com,carol@contoso.com', '--header', 'Subject: trace me']);
    expect(r.out).toMatch(/250 2\.0\.0 OK/);
    const rows = await waitFor(() => {
      const t = query(pg.dataDir, "SELECT * FROM message_trace WHERE subject = 'trace me' AND status = 'Delivered'");
      return t.length === 2 && t;
    }, 10_000, 'trace rows');
    const nmid = rows[0].network_message_id;
    expect(rows[1].network_message_id).toBe(nmid); // one tenant: one copy
    const events = query(pg.dataDir, 'SELECT event FROM message_trace_events WHERE network_message_id = ? AND recipient = ? ORDER BY id', nmid, 'bob@contoso.com');
    expect(events.map((e) => e.event)).toEqual(['RECEIVE', 'DELIVER']);
    const ee = query(pg.dataDir, 'SELECT * FROM EmailEvents WHERE NetworkMessageId = ? ORDER BY RecipientEmailAddress', nmid);
    expect(ee.map((e) => e.RecipientEmailAddress)).toEqual(['bob@contoso.com', 'carol@contoso.com']);
    expect(ee[0]).toMatchObject({ SenderMailFromAddress: 'ops@fabrikam.com', SenderMailFromDomain: 'fabrikam.com', SenderIPv4: '127.0.0.1', Subject: 'trace me', EmailDirection: 'Inbound', Connectors: '' });
    expect(ee[0].NetworkMessageId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('refusals in the SMTP dialogue', () => {
  it('refuses recipients of unknown domains as relay attempts (550 5.7.64) and records the refusal', () => {
    const r = swaks(['--server', server(), '--from', 'x@fabrikam.com', '--to', 'someone@elsewhere.example']);
    expect(r.out).toContain('550 5.7.64 TenantAttribution; Relay Access Denied');
    const rej = query(pg.dataDir, "SELECT * FROM SmtpRejectEvents WHERE RecipientEmailAddress = 'someone@elsewhere.example'");
    expect(rej).toHaveLength(1);
    expect(rej[0]).toMatchObject({ SmtpCode: 550, EnhancedStatusCode: '5.7.64', SmtpStage: 'RCPT', Reason: 'TenantAttribution' });
  });

  it('refuses an oversize message with 552 5.3.4 and spools nothing', () => {
    const big = join(pg.dataDir, 'big.txt');
    writeFileSync(big, ('x'.repeat(998) + '\r\n').repeat(300));
    const r = swaks(['--server', server(), '--from', 'x@fabrikam.com', '--to', 'alice@contoso.com', '--body', `@${big}`]);
    expect(r.out, r.out.slice(-600)).toMatch(/552 5\.3\.4/);
    expect(query(pg.dataDir, 'SELECT count(*) AS n FROM queue_messages')[0].n).toBe(0);
  });
});
