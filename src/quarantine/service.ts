// Hosted-quarantine operations as Exchange's cmdlets define them (reference §6): list with the
// Summary filters, preview, export, release (-ReleaseToAll / -User, already-released recipients
// skipped unless -Force), delete / hard delete, and expiry purging. Storage is a port; every
// operation is scoped to one organization and audited with the actor's name.
import type { QuarantineEntry, QuarantineFilter, QuarantineStore } from '../store/quarantineStore.js';
import { parseQuarantineIdentity } from './identity.js';
import { renderPreview, type MessagePreview } from './preview.js';

export class QuarantineError extends Error {
  constructor(
    message: string,
    readonly code: 'NotFound' | 'InvalidIdentity' | 'AlreadyReleased' | 'NotHeld' | 'InvalidRecipient' | 'Unsupported',
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'QuarantineError';
  }
}

/** Reading and freeing held message bytes (the spool). */
export interface HeldContent {
  read(file: string): Promise<Buffer>;
  remove(file: string): Promise<void>;
}

export interface QuarantineServiceOptions {
  store: QuarantineStore;
  content: HeldContent;
  orgGuid: string;
  /** Who acts, for the audit trail (OS user and session). */
  actor: string;
  /** Is this address in one of the organization's accepted domains? (release -User) */
  isOrgAddress(address: string): boolean;
  now?: () => number;
}

export interface ReleaseOptions {
  releaseToAll?: boolean;
  users?: string[];
  force?: boolean;
}

export interface ReleaseOutcome {
  released: string[];
  skipped: string[];
}

const DAY = 86_400_000;

export class QuarantineService {
  private readonly now: () => number;

  constructor(private readonly o: QuarantineServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  list(filter: Omit<QuarantineFilter, 'orgGuid'>): QuarantineEntry[] {
    if (filter.identity !== undefined) {
      const id = parseQuarantineIdentity(filter.identity);
      if (!id) throw invalidIdentity(filter.identity);
      return this.entries(filter.identity).filter((e) => e.deletedAt === null);
    }
    return this.o.store.list({ ...filter, orgGuid: this.o.orgGuid });
  }

  /** The entries an identity names in this organization (one entry, or all of a message); NotFound otherwise. */
  entries(identity: string): QuarantineEntry[] {
    const id = parseQuarantineIdentity(identity);
    if (!id) throw invalidIdentity(identity);
    const found = this.o.store.find(this.o.orgGuid, id.kind === 'entry' ? id.identity : id.message);
    if (!found.length) throw notFound(identity);
    return found;
  }

  private one(identity: string, recipient?: string): QuarantineEntry {
    let list = this.entries(identity).filter((e) => e.deletedAt === null);
    if (recipient) list = list.filter((e) => e.recipient.toLowerCase() === recipient.toLowerCase());
    if (!list.length) throw notFound(identity);
    return list[0];
  }

  private async bytes(e: QuarantineEntry, action: string): Promise<Buffer> {
    if (!e.spoolFile) throw new QuarantineError(`The quarantined message '${e.identity}' is no longer held, so it can't be ${action}.`, 'NotHeld', 'Identity');
    try {
      return await this.o.content.read(e.spoolFile);
    } catch {
      throw new QuarantineError(`The content of the quarantined message '${e.identity}' can't be read from the spool.`, 'NotHeld', 'Identity');
    }
  }

  async preview(identity: string, recipient?: string): Promise<{ entry: QuarantineEntry; preview: MessagePreview }> {
    const entry = this.one(identity, recipient);
    const preview = await renderPreview(await this.bytes(entry, 'previewed'));
    this.audit('Preview', entry, [entry.recipient], '');
    return { entry, preview };
  }

  async export(identity: string, opts: { reason?: string; recipient?: string } = {}): Promise<{ entry: QuarantineEntry; eml: Buffer }> {
    const entry = this.one(identity, opts.recipient);
    const eml = await this.bytes(entry, 'exported');
    this.audit('Export', entry, [entry.recipient], opts.reason ? `reason: ${opts.reason}` : '');
    return { entry, eml };
  }

  /**
   * Release: -ReleaseToAll (every original recipient of the message), -User (these addresses,
   * which must be in the organization's accepted domains), or neither (the identity's own
   * recipient). Recipients the message was already released to are skipped unless -Force; if
   * that leaves nothing, the release is refused saying so.
   */
  async release(identity: string, opts: ReleaseOptions): Promise<ReleaseOutcome> {
    if (opts.releaseToAll && opts.users?.length) throw new QuarantineError('Use either -ReleaseToAll or -User, not both.', 'Unsupported', 'User');
    const all = this.entries(identity).filter((e) => e.deletedAt === null);
    if (!all.length) throw notFound(identity);
    const id = parseQuarantineIdentity(identity)!;
    const messageEntries = opts.releaseToAll && id.kind === 'entry' ? this.o.store.find(this.o.orgGuid, id.message).filter((e) => e.deletedAt === null) : all;
    for (const u of opts.users ?? []) {
      if (!this.o.isOrgAddress(u)) throw new QuarantineError(`-User '${u}' is not an address in this organization's accepted domains; a quarantined message can only be released inside the organization.`, 'InvalidRecipient', 'User');
    }
    const plan: { entry: QuarantineEntry; to: string[] }[] = [];
    const skipped: string[] = [];
    const alreadyTo = (e: QuarantineEntry) => new Set(e.releasedTo.split(',').filter(Boolean));
    if (opts.users?.length) {
      const e = all[0];
      const done = alreadyTo(e);
      const to = opts.users.filter((u) => opts.force || !done.has(u.toLowerCase()));
      skipped.push(...opts.users.filter((u) => !to.includes(u)));
      if (to.length) plan.push({ entry: e, to });
    } else {
      for (const e of messageEntries) {
        if (!opts.force && (e.releaseStatus === 'Released' || alreadyTo(e).has(e.recipient.toLowerCase()))) skipped.push(e.recipient);
        else plan.push({ entry: e, to: [e.recipient] });
      }
    }
    if (!plan.length) {
      const when = all[0].releasedAt ? ` on ${new Date(all[0].releasedAt).toISOString()}` : '';
      throw new QuarantineError(
        `The quarantined message '${identity.trim()}' was already released to ${skipped.join(', ')}${when}; it was not released again. Use -Force to release it again.`,
        'AlreadyReleased',
        'Force',
      );
    }
    for (const p of plan) {
      if (!p.entry.spoolFile) throw new QuarantineError(`The quarantined message '${p.entry.identity}' is no longer held (expired or deleted), so it can't be released.`, 'NotHeld', 'Identity');
    }
    const at = this.now();
    for (const p of plan) {
      const detail = [opts.force ? 'force' : '', opts.releaseToAll ? 'ReleaseToAll' : '', opts.users?.length ? `User=${opts.users.join(';')}` : ''].filter(Boolean).join('; ');
      this.o.store.release({ entry: p.entry, recipients: p.to, at, audit: { orgGuid: this.o.orgGuid, at, actor: this.o.actor, action: 'Release', identity: p.entry.identity, recipients: p.to, detail } });
    }
    return { released: plan.flatMap((p) => p.to), skipped };
  }

  /** Delete (hidden, purged at expiry) or hard delete (unrecoverable, bytes freed now). */
  async delete(identity: string, opts: { hard?: boolean; recipient?: string } = {}): Promise<number> {
    let list = this.entries(identity);
    if (!opts.hard) list = list.filter((e) => e.deletedAt === null);
    if (opts.recipient) list = list.filter((e) => e.recipient.toLowerCase() === opts.recipient!.toLowerCase());
    if (!list.length) throw notFound(identity);
    const at = this.now();
    for (const e of list) {
      const files = this.o.store.delete(e, !!opts.hard, { orgGuid: this.o.orgGuid, at, actor: this.o.actor, action: opts.hard ? 'HardDelete' : 'Delete', identity: e.identity, recipients: [e.recipient], detail: '' });
      for (const f of files) await this.o.content.remove(f);
    }
    return list.length;
  }

  private audit(action: string, e: QuarantineEntry, recipients: string[], detail: string): void {
    this.o.store.audit({ orgGuid: this.o.orgGuid, at: this.now(), actor: this.o.actor, action, identity: e.identity, recipients, detail });
  }
}

/**
 * Expiry purge across organizations, in bounded batches: removes entries past their expiry
 * (transport-rule quarantine: 30 days), leaves an EXPIRE trace event each, and frees spool files
 * nothing else needs. Returns how many entries were purged.
 */
export async function purgeExpiredQuarantine(store: QuarantineStore, content: HeldContent, now: number, batch = 200, maxBatches = 50): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const { purged, files } = store.purgeExpired(now, batch);
    for (const f of files) await content.remove(f);
    total += purged;
    if (purged < batch) break;
    await new Promise((r) => setImmediate(r));
  }
  return total;
}

export const TRANSPORT_RULE_RETENTION_MS = 30 * DAY;

function notFound(identity: string): QuarantineError {
  return new QuarantineError(`The quarantined message '${identity.trim()}' couldn't be found in this organization's quarantine.`, 'NotFound', 'Identity');
}

function invalidIdentity(identity: string): QuarantineError {
  return new QuarantineError(`'${identity}' is not a quarantine identity; use the Identity value Get-QuarantineMessage shows (GUID1\\GUID2).`, 'InvalidIdentity', 'Identity');
}
