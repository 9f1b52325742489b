// Get-/Preview-/Export-/Release-/Delete-QuarantineMessage over the hosted quarantine
// (quarantine/service.ts), scoped to the organization's GUID and audited with the actor.
// Postern quarantines email by transport rule (PolicyType ExchangeTransportRule) and for spoof or
// DMARC failures (AntiPhishPolicy, QuarantineTypes Phish); queries for anything else find nothing.
import { QuarantineError, QuarantineService } from '../quarantine/service.js';
import type { QuarantineEntry } from '../store/quarantineStore.js';
import { DAY } from './dateWindow.js';
import { AdminError, notAvailable, same } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { QuarantineAdmin, QuarantineMessageObject, QuarantineQuery } from './types.js';

/** Which quarantine types each policy type holds in Postern (Get-QuarantineMessage -PolicyTypes). */
const QUARANTINE_TYPE_OF_POLICY: Record<string, string[]> = { ExchangeTransportRule: ['TransportRule'], AntiPhishPolicy: ['Phish'] };
const POLICY_TYPE_OF_QUARANTINE_TYPE: Record<string, string> = { TransportRule: 'ExchangeTransportRule', Phish: 'AntiPhishPolicy' };

const QUARANTINE_UNAVAILABLE =
  "The hosted quarantine is not available in this version of Postern: quarantined messages can't be listed, previewed, exported, released or deleted yet.";

function quarantineObject(e: QuarantineEntry): QuarantineMessageObject {
  return {
    Identity: e.identity,
    ReceivedTime: new Date(e.receivedAt),
    Organization: e.orgGuid,
    MessageId: e.internetMessageId,
    SenderAddress: e.sender,
    RecipientAddress: [e.recipient],
    Subject: e.subject,
    Size: e.size,
    Type: e.quarantineTypes === 'TransportRule' ? 'Transport rule' : e.quarantineTypes,
    PolicyType: POLICY_TYPE_OF_QUARANTINE_TYPE[e.quarantineTypes] ?? '',
    PolicyName: e.policyName,
    QuarantineTypes: e.quarantineTypes,
    Direction: e.direction === 'Outbound' ? 'Outbound' : 'Inbound',
    Expires: new Date(e.expiresAt),
    RecipientCount: 1,
    QuarantinedUser: [e.recipient],
    ReleasedUser: e.releasedTo ? e.releasedTo.split(',') : [],
    Reported: false,
    ReleaseStatus: e.releaseStatus,
    EntityType: 'Email',
  };
}

/** The quarantine types a query can find (undefined: any), or null when it can find nothing. */
function typesOf(q: QuarantineQuery): string[] | undefined | null {
  if (q.EntityType && q.EntityType !== 'Email') return null;
  if (q.Reported === true) return null;
  let types = q.QuarantineTypes;
  if (q.PolicyTypes?.length) {
    const byPolicy = q.PolicyTypes.flatMap((p) => QUARANTINE_TYPE_OF_POLICY[p] ?? []);
    types = types?.length ? types.filter((t) => byPolicy.some((b) => same(b, t))) : byPolicy;
    if (!types.length) return null;
  }
  if (q.Type && q.Type !== 'TransportRule' && q.Type !== 'Phish') return null;
  if (q.Type) {
    types = types ? types.filter((t) => same(t, q.Type)) : [q.Type];
    if (!types.length) return null;
  }
  return types;
}

export function quarantineAdmin(scope: OrganizationScope): QuarantineAdmin {
  const service = (): QuarantineService => {
    const q = scope.options.quarantine;
    if (!q) throw notAvailable(QUARANTINE_UNAVAILABLE);
    return new QuarantineService({ store: q.store, content: q.content, orgGuid: scope.guid, actor: scope.actor, isOrgAddress: (a) => scope.isOrgAddress(a) });
  };
  const run = async <T>(fn: (q: QuarantineService) => Promise<T> | T): Promise<T> => {
    try {
      return await fn(service());
    } catch (e) {
      if (!(e instanceof QuarantineError)) throw e;
      if (e.code === 'NotFound') throw new AdminError(e.message, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound', parameter: e.parameter });
      const category = e.code === 'InvalidIdentity' || e.code === 'InvalidRecipient' ? 'InvalidArgument' : 'InvalidOperation';
      throw new AdminError(e.message, { errorId: e.code, category, parameter: e.parameter });
    }
  };

  return {
    async getQuarantineMessages(q) {
      return run((svc) => {
        const types = typesOf(q);
        if (types === null) return [];
        // Without an identity or dates, Exchange lists the last 16 days.
        const window = q.Identity || q.StartReceivedDate || q.EndReceivedDate ? {} : { StartReceivedDate: new Date(scope.now().getTime() - 16 * DAY), EndReceivedDate: scope.now() };
        q = { ...q, ...window };
        const entries = svc.list({
          identity: q.Identity,
          startReceived: q.StartReceivedDate?.getTime(),
          endReceived: q.EndReceivedDate?.getTime(),
          startExpires: q.StartExpiresDate?.getTime(),
          endExpires: q.EndExpiresDate?.getTime(),
          direction: q.Direction,
          domains: q.Domain,
          quarantineTypes: types,
          recipients: q.RecipientAddress,
          senders: q.SenderAddress,
          releaseStatus: q.ReleaseStatus,
          subject: q.Subject,
          messageId: q.MessageId,
          policyName: q.PolicyName,
          offset: (q.Page - 1) * q.PageSize,
          limit: q.PageSize,
        });
        return entries.map(quarantineObject);
      });
    },

    async previewQuarantineMessage(identity, recipientAddress) {
      return run(async (svc) => {
        const { entry, preview } = await svc.preview(identity, recipientAddress);
        return {
          Identity: entry.identity,
          ReceivedTime: new Date(entry.receivedAt),
          SenderAddress: entry.sender,
          From: preview.from,
          RecipientAddress: [entry.recipient],
          To: preview.to,
          Cc: preview.cc,
          Subject: preview.subject,
          Headers: preview.headers.map((h) => `${h.name}: ${h.value}`).join('\n'),
          Body: preview.text,
          IsHtml: preview.isHtml,
          Attachment: preview.attachments.map((a) => `${a.filename || '(unnamed)'} (${a.contentType}, ${a.size} bytes)`),
        };
      });
    },

    async exportQuarantineMessage(identity, options) {
      return run(async (svc) => {
        if (options.CompressOutput || options.PasswordV2) {
          throw new QuarantineError('Export-QuarantineMessage: -CompressOutput and -Password/-PasswordV2 are not available in Postern; export without them to get the .eml (Base64 in Eml).', 'Unsupported', options.CompressOutput ? 'CompressOutput' : 'PasswordV2');
        }
        const { entry, eml } = await svc.export(identity, { reason: options.ReasonForExport, recipient: options.RecipientAddress });
        return { Identity: entry.identity, Eml: eml.toString('base64'), BodyEncoding: 'Base64' as const };
      });
    },

    async releaseQuarantineMessage(identity, options) {
      await run(async (svc) => {
        if (options.ActionType && options.ActionType !== 'Release') {
          throw new QuarantineError(`-ActionType ${options.ActionType}: Postern has no end-user release requests; admins release directly (-ActionType Release or no -ActionType).`, 'Unsupported', 'ActionType');
        }
        if (options.AllowSender) throw new QuarantineError('-AllowSender: Postern has no allowed-senders list; use a transport rule exception instead.', 'Unsupported', 'AllowSender');
        await svc.release(identity, { releaseToAll: options.ReleaseToAll, users: options.User, force: options.Force });
      });
    },

    async deleteQuarantineMessage(identity, options) {
      await run((svc) => svc.delete(identity, { hard: options.HardDelete, recipient: options.RecipientAddress }));
    },
  };
}
