// Historical search end to end: Start-HistoricalSearch -ReportType ConnectorReport -ConnectorType
// NoConnector -Direction Received over a generated trace (plus live Direct Send), run in the
// background by `postern serve`, surviving a restart, written as CSV and mailed to NotifyAddress.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contoso, importOrgs, maildirMessages, query, runCli, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

const DAY = 86_400_000;
let pg: Running | undefined;
let dir: string;
const contosoGuid = randomUUID();
const fabrikamGuid = randomUUID();
/** NetworkMessageIds the NoConnector/Received report must list, exactly. */
const expected = new Set<string>();

const shell = (org: string, command: string) => runCli(['shell', '-d', dir, '--organization', org, '-c', command]);
const json = (out: string): any[] => {
  const v = JSON.parse(out || '[]');
  return Array.isArray(v) ? v : [v];
};
const isoDay = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

/** A generated trace: 6,000 EmailEvents rows over 88 days, both organizations, mixed connectors and directions. */
function generateTrace(): void {
  const db = new Database(join(dir, 'postern.db'));
  const insert = db.prepare(
    `INSERT INTO EmailEvents (OrgId, Timestamp, NetworkMessageId, InternetMessageId, SenderMailFromAddress, RecipientEmailAddress, Subject,
       EmailDirection, Connectors, SenderIPv4, EmailSize) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const windowStart = Date.parse(isoDay(-85));
  db.transaction(() => {
    for (let i = 0; i < 6000; i++) {
      const org = i % 7 === 0 ? fabrikamGuid : contosoGuid;
      const ts = Date.now() - 3_600_000 - Math.floor(((i * 7919) % 6000) / 6000 * 88 * DAY);
      const kind = i % 4; // 0,1: no connector inbound; 2: partner connector; 3: internal (Intra-org through the on-premises connector)
      const connectors = kind === 2 ? 'Partner relay' : kind === 3 ? 'On-premises' : '';
      const direction = kind === 3 ? 'Intra-org' : 'Inbound';
      const nmid = randomUUID();
      insert.run(org, ts, nmid, `<gen-${i}@example.net>`, `sender${i}@example.net`, `user${i % 50}@contoso.com`, `generated ${i}`, direction, connectors, `203.0.113.${i % 250}`, 1000 + i);
      if (org === contosoGuid && connectors === '' && ts >= windowStart) expected.add(nmid);
    }
  })();
  db.close();
}

beforeAll(async () => {
  dir = tempDir();
  importOrgs(dir, [
    contoso({ Guid: contosoGuid }),
    contoso({ Name: 'Fabrikam', Guid: fabrikamGuid, AcceptedDomains: [{ DomainName: 'fabrikam.com', DomainType: 'Authoritative', Default: true }] }),
  ]);
  generateTrace();
  pg = await startPostern(dir);
  // Live Direct Send (no connector) to both organizations.
  for (const to of ['a@contoso.com', 'b@contoso.com', 'x@fabrikam.com']) {
    expect(swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'spoof@contoso.com', '--to', to, '--header', 'Subject: live direct send']).out).toMatch(/250 2\.0\.0 OK/);
  }
  await waitFor(() => query(dir, "SELECT count(*) AS n FROM EmailEvents WHERE Subject = 'live direct send'")[0].n === 3, 10_000, 'live trace');
  for (const r of query(dir, "SELECT NetworkMessageId AS id FROM EmailEvents WHERE Subject = 'live direct send' AND OrgId = ?", contosoGuid)) expected.add(r.id);
});
afterAll(async () => {
  await pg?.stop();
});

const START = () => `Start-HistoricalSearch -ReportTitle 'Direct Send audit' -StartDate ${isoDay(-85)} -EndDate ${isoDay(1)} -ReportType ConnectorReport -ConnectorType NoConnector -Direction Received -NotifyAddress admin@contoso.com`;

function csvIds(csv: string): string[] {
  const lines = csv.trim().split('\r\n');
  const header = lines[0].split(',');
  const col = header.indexOf('network_message_id');
  return lines.slice(1).map((l) => l.split(',')[col]);
}

describe('Start-HistoricalSearch ConnectorReport / NoConnector / Received', () => {
  let jobId: string;
  let csv: string;

  it('creates a job (NotStarted) that survives a restart, runs in the background and ends Done with the row count', async () => {
    await pg!.stop();
    pg = undefined;
    const r = shell('Contoso', `${START()} | ConvertTo-Json`);
    expect(r.status, r.stderr).toBe(0);
    const [job] = json(r.stdout);
    expect(job).toMatchObject({ ReportTitle: 'Direct Send audit', Status: 'NotStarted', ReportType: 'ConnectorReport', Rows: 0 });
    jobId = job.JobId;
    pg = await startPostern(dir);
    const done = await waitFor(() => {
      const [j] = json(shell('Contoso', `Get-HistoricalSearch -JobId ${jobId} | ConvertTo-Json`).stdout);
      return j.Status === 'Done' && j;
    }, 30_000, 'job done');
    expect(done.Rows).toBe(expected.size);
    expect(done.Progress).toBe(100);
  });

  it('writes a CSV of exactly the messages received without a connector in the window', () => {
    const [row] = query(dir, 'SELECT csv_file FROM historical_searches WHERE job_id = ?', jobId);
    csv = readFileSync(row.csv_file, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('origin_timestamp,sender_address,Recipient_status,message_subject,total_bytes,message_id,network_message_id,original_client_ip,directionality,connector_id,recipient_address,delivery_status,tls_version,transport_rule');
    const ids = csvIds(csv);
    expect(ids).toHaveLength(expected.size);
    expect(new Set(ids)).toEqual(expected);
    expect(csv).toMatch(/,live direct send,.*,Inbound,,a@contoso\.com,(Delivered|Pending),No TLS,/);
  });

  it('mails the CSV to NotifyAddress through Postern delivery', async () => {
    const [mail] = await waitFor(() => maildirMessages(dir, 'admin@contoso.com').length && maildirMessages(dir, 'admin@contoso.com'), 15_000, 'report mail');
    const parsed = await simpleParser(mail);
    expect(parsed.subject).toBe("Historical search 'Direct Send audit' is ready");
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].contentType).toBe('text/csv');
    expect(parsed.attachments[0].content.toString('utf8')).toBe(csv);
  });

  it('resumes an interrupted job from its stored cursor (CSV cut back to the stored length)', async () => {
    await pg!.stop();
    pg = undefined;
    const db = new Database(join(dir, 'postern.db'));
    const k = 1000; // pretend the first k rows were written and stored, then the process died mid-batch
    const lines = csv.split('\r\n');
    const prefixBytes = Buffer.byteLength(lines.slice(0, k + 1).join('\r\n') + '\r\n');
    const kth = lines[k].split(',')[6];
    const pos = db.prepare('SELECT Timestamp AS ts, rowid FROM EmailEvents WHERE NetworkMessageId = ?').get(kth) as { ts: number; rowid: number };
    const resumeId = randomUUID();
    const file = join(dir, 'reports', `${resumeId}.csv`);
    copyFileSync(join(dir, 'reports', `${jobId}.csv`), file);
    writeFileSync(file, readFileSync(file).subarray(0, prefixBytes + 37)); // a torn write after the stored length
    db.prepare(
      `INSERT INTO historical_searches (job_id, org_guid, submitted_at, submitted_by, report_title, report_type, start_date, end_date, request, status, rows, cursor_ts, cursor_rowid, csv_file, csv_bytes, started_at)
       SELECT ?, org_guid, ?, submitted_by, 'resumed', report_type, start_date, end_date, json_remove(request, '$.NotifyAddress'), 'InProgress', ?, ?, ?, ?, ?, ? FROM historical_searches WHERE job_id = ?`,
    ).run(resumeId, Date.now(), k, pos.ts, pos.rowid, file, prefixBytes, Date.now(), jobId);
    db.close();
    pg = await startPostern(dir);
    await waitFor(() => query(dir, "SELECT status FROM historical_searches WHERE job_id = ? AND status = 'Done'", resumeId)[0], 30_000, 'resumed job');
    const resumed = readFileSync(file, 'utf8');
    // The report mail of the first job arrived since; it is Postern's own (Intra-org, no connector) and not "received".
    expect(csvIds(resumed).sort()).toEqual(csvIds(csv).sort());
  });

  it('Stop-HistoricalSearch cancels a job that has not finished; Get-HistoricalSearch lists the last 10 days', () => {
    const r = shell('Contoso', `$j = ${START()}; Stop-HistoricalSearch -JobId $j.JobId -Confirm:$false; Get-HistoricalSearch -JobId $j.JobId | ConvertTo-Json`);
    expect(r.status, r.stderr).toBe(0);
    expect(json(r.stdout)[0].Status).toBe('Cancelled');
    const list = json(shell('Contoso', 'Get-HistoricalSearch | ConvertTo-Json').stdout);
    expect(list.map((j) => j.ReportTitle)).toEqual(expect.arrayContaining(['Direct Send audit', 'resumed']));
    const again = shell('Contoso', `Stop-HistoricalSearch -JobId ${jobId} -Confirm:$false`);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already finished/);
  });

  it("is scoped to the organization: Fabrikam sees none of Contoso's jobs, and its own report lists only its mail", async () => {
    expect(json(shell('Fabrikam', 'Get-HistoricalSearch | ConvertTo-Json').stdout)).toHaveLength(0);
    for (const cmd of [`Get-HistoricalSearch -JobId ${jobId}`, `Stop-HistoricalSearch -JobId ${jobId} -Confirm:$false`]) {
      const r = shell('Fabrikam', cmd);
      expect(r.status, cmd).toBe(1);
      expect(r.stderr, cmd).toMatch(/couldn't be found/);
    }
    const bad = shell('Fabrikam', `Start-HistoricalSearch -ReportTitle t -StartDate ${isoDay(-2)} -EndDate ${isoDay(1)} -ReportType ConnectorReport -NotifyAddress admin@contoso.com`);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/NotifyAddress/);
    const [job] = json(shell('Fabrikam', `Start-HistoricalSearch -ReportTitle fab -StartDate ${isoDay(-85)} -EndDate ${isoDay(1)} -ReportType ConnectorReport -ConnectorType NoConnector -Direction Received | ConvertTo-Json`).stdout);
    await waitFor(() => json(shell('Fabrikam', `Get-HistoricalSearch -JobId ${job.JobId} | ConvertTo-Json`).stdout)[0].Status === 'Done', 30_000, 'fabrikam job');
    const file = query(dir, 'SELECT csv_file FROM historical_searches WHERE job_id = ?', job.JobId)[0].csv_file;
    const ids = new Set(csvIds(readFileSync(file, 'utf8')));
    for (const id of expected) expect(ids.has(id)).toBe(false);
    expect(ids.size).toBeGreaterThan(0);
  });
});

describe('inbound messages report', () => {
  it('counts messages per day and connector by TLS version, per organization (postern report inbound)', async () => {
    expect(swaks(['--server', `127.0.0.1:${pg!.smtpPort}`, '--tls', '--from', 'spoof@contoso.com', '--to', 'c@contoso.com,d@contoso.com', '--header', 'Subject: live over tls']).out).toMatch(/250 2\.0\.0 OK/);
    await waitFor(() => query(dir, "SELECT count(*) AS n FROM message_trace WHERE subject = 'live over tls'")[0].n === 2, 10_000, 'tls trace');
    const r = runCli(['report', 'inbound', '-d', dir, '--organization', 'Contoso', '--days', '7', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const today = new Date().toISOString().slice(0, 10);
    expect(report).toMatchObject({ organization: 'Contoso', days: 7, endDate: today });
    expect(report.volumeByDay).toHaveLength(7);
    // Two plain Direct Send messages, and one over TLS 1.3 with two recipients (one message); the report mails are Postern's own.
    expect(report.rows).toEqual([
      { Date: today, 'Connector direction and name': 'Inbound - No connector (email from the internet)', 'Connector type': 'No connector', 'Forced TLS?': 'No', 'No TLS': 2, 'TLS 1.0': 0, 'TLS 1.1': 0, 'TLS 1.2': 0, 'TLS 1.3': 1, Volume: 3 },
    ]);
    const fab = JSON.parse(runCli(['report', 'inbound', '-d', dir, '--organization', 'Fabrikam', '--format', 'json']).stdout);
    expect(fab.rows.map((x: any) => [x['No TLS'], x['TLS 1.3'], x.Volume])).toEqual([[1, 0, 1]]);
    const bad = runCli(['report', 'inbound', '-d', dir, '--organization', 'Contoso', '--days', '91']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/7 to 90 days/);
  });
});
