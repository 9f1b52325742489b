// Golden tests of the whole decision, in Postfix's table-driven style: each case in golden/ is a
// message (NAME.eml), the client facts and envelope (NAME.case.yaml, naming a configuration file
// beside it), and the expected outcome (NAME.expected.yaml): the RCPT and DATA replies, every
// copy's queue entry (header edits, quarantine record) and its receipt for the trace. The same
// functions run as in the gateway: admitRecipient, planMessage, endOfDataRefusal, disposeMessage.
//
// After an intended change of behaviour, regenerate and review the diff:
//   UPDATE_GOLDEN=1 npx vitest run src/mailflow/golden.test.ts && git diff src/mailflow/golden
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { AuthVerdicts } from '../auth/verify.js';
import { parseConfig } from '../config/document.js';
import { extractContent } from '../smtp/content.js';
import { messageHeaders } from '../message/header.js';
import { admitRecipient, type AdmittedRecipient } from './admitRecipient.js';
import { endOfDataRefusal, messageNeedsContent, planMessage, type PlannedCopy } from './copyPlan.js';
import { disposeMessage, type QueuedCopy } from './disposition.js';
import type { ClientFacts, MessageFacts } from '../message/facts.js';
import { compileSnapshot } from './snapshot.js';

const DIR = join(import.meta.dirname, 'golden');
const NOW = new Date('2026-12-01T09:00:00Z');

interface Case {
  description: string;
  config: string;
  message: string;
  client: ClientFacts;
  mailFrom: string;
  rcptTo: string[];
  /** Sender authentication verdicts, as the resolver would have found them (none: not checked). */
  auth?: AuthVerdicts;
}

async function decide(c: Case) {
  const organizations = parseConfig(readFileSync(join(DIR, c.config), 'utf8'), c.config).organizations;
  const snapshot = compileSnapshot(1, organizations);
  // The .eml files are kept with Unix line ends for editing: read as the CRLF message they stand for.
  const raw = Buffer.from(readFileSync(join(DIR, c.message), 'utf8').replace(/\r?\n/g, '\r\n'));
  const facts: MessageFacts = { client: c.client, envelope: { mailFrom: c.mailFrom, rcptTo: c.rcptTo }, headers: messageHeaders(raw), size: raw.length };
  const rcpt: Record<string, string> = {};
  const admitted: AdmittedRecipient[] = [];
  for (const address of c.rcptTo) {
    const v = admitRecipient(snapshot, c.client, c.mailFrom, address);
    rcpt[address] = v.admitted ? '250 2.1.5 Accepted' : `${v.refusal.code} ${v.refusal.text}`;
    if (v.admitted) admitted.push(v.recipient);
  }
  if (!admitted.length) return { rcpt };
  let n = 0;
  const newId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const content = messageNeedsContent(admitted) ? await extractContent(raw) : undefined;
  const plans = planMessage(admitted, facts, { gatewayHost: 'mx.postern.test', now: NOW, newId, content, auth: c.auth });
  const refusal = endOfDataRefusal(plans);
  if (refusal) return { rcpt, data: `${refusal.plan.reply!.code} ${refusal.plan.reply!.text}` };
  const { copies, receipts } = disposeMessage(plans, facts, { queueId: 'GOLDEN0001', gatewayHost: 'mx.postern.test', now: NOW });
  const orgName = new Map(organizations.map((o) => [o.Guid, o.Name]));
  return {
    rcpt,
    data: '250 2.0.0 OK',
    copies: receipts.map((r) => ({
      organization: orgName.get(r.orgGuid),
      networkMessageId: r.networkMessageId,
      outcome: r.outcome,
      recipients: r.recipients,
      deliverTo: r.deliverTo,
      connector: r.connector || undefined,
      connectorMatch: r.connectorMatch || undefined,
      authAs: r.authAs,
      direction: r.direction,
      removedByFirewall: removedHeaders(plans.find((p) => p.plan.networkMessageId === r.networkMessageId)!),
      decidedBy: r.decidedBy,
      authReason: r.authReason,
      reply: r.reply,
      ruleEvents: r.ruleEvents.length ? r.ruleEvents.map((e) => `${e.Action}: ${e.Detail}`) : undefined,
      ruleFields: Object.keys(r.ruleFields).length ? r.ruleFields : undefined,
      queued: queueEntry(copies.find((q) => q.networkMessageId === r.networkMessageId)),
    })),
  };
}

/** Header fields of the client's the header firewall took out (forged organization headers). */
function removedHeaders(p: PlannedCopy): string[] | undefined {
  const removed = p.plan.firewall.removed.map((f) => `${f.name}: ${f.value}`);
  return removed.length ? removed : undefined;
}

/** A header field as it reads in the message (folded lines as lines). */
const field = (f: { name: string; value: string }) => `${f.name}: ${f.value.replace(/\r\n/g, '\n')}`;

/** The queue entry as a reader checks it: header edits in order, quarantine expiry as a date. */
function queueEntry(q: QueuedCopy | undefined) {
  if (!q) return 'nothing (no copy to deliver or hold)';
  const { edits, quarantine } = q;
  return {
    recipients: q.recipients,
    prepend: edits.prepend.map(field),
    remove: edits.remove.length ? edits.remove : undefined,
    set: edits.set.length ? edits.set.map(field) : undefined,
    subjectPrefix: edits.subjectPrefix,
    quarantine: quarantine && { ...quarantine, expiresAt: new Date(quarantine.expiresAt).toISOString() },
  };
}

const cases = readdirSync(DIR).filter((f) => f.endsWith('.case.yaml')).sort();

describe('golden decisions (src/mailflow/golden)', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(8));
  for (const file of cases) {
    const name = file.replace(/\.case\.yaml$/, '');
    const c = parse(readFileSync(join(DIR, file), 'utf8')) as Case;
    it(`${name}: ${c.description}`, async () => {
      const actual = `# ${c.description}\n${stringify(JSON.parse(JSON.stringify(await decide(c))), { lineWidth: 0 })}`;
      const expectedFile = join(DIR, `${name}.expected.yaml`);
      if (process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, actual);
      expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
    });
  }
});
