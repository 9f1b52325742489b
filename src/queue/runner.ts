// The queue manager: picks due recipients, delivers them through the target's agent, and records
// the outcome (DELIVER / DEFER / FAIL) in the queue and the trace. Temporary failures retry with
// exponential backoff until the maximum queue lifetime; then, or on a permanent failure, the
// sender gets a non-delivery report (never for the null sender or for a report itself).
import type { Logger } from 'pino';
import type { DeliveryTarget, Organization } from '../config/model.js';
import { domainOf } from '../message/facts.js';
import type { ConfigSnapshot } from '../mailflow/snapshot.js';
import type { DueRecipient, QueueStore, TraceStore } from '../store/ports.js';
import { nextHopOf, type DeliveryResult } from '../delivery/agent.js';
import { buildNdr, enhancedStatusOf, failedRecipient } from '../delivery/dsn.js';
import { deliverToMaildir } from '../delivery/maildir.js';
import { messageStream, readHeaderBlock, type MessageSource } from '../delivery/messageStream.js';
import type { SmtpDelivery } from '../delivery/smtp.js';
import type { FreshMessage } from './commit.js';
import { injectMessage, type InjectDeps } from './inject.js';
import type { Spool } from './spool.js';
import { resolve } from 'node:path';

type Failure = Extract<DeliveryResult, { ok: false }>;
type Fate = 'delivered' | 'deferred' | 'failed';

/** One recipient's delivery attempt, as metrics count it. */
export interface DeliveryAttempt {
  status: Fate;
  /** 1 for the first attempt. */
  attempt: number;
  /** From receipt (250 OK) to the end of this attempt; a released message's includes its time in quarantine. */
  latencyMs: number;
}

/** The enhanced status code logged for an agent's reply that carries none (Maildir, discard). */
const DEFAULT_ENHANCED: Record<Fate, string> = { delivered: '2.0.0', deferred: '4.0.0', failed: '5.0.0' };

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  maxLifetimeMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 60_000, maxMs: 3_600_000, maxLifetimeMs: 2 * 24 * 3_600_000 };

/**
 * How long the process that accepted a message keeps its first delivery attempt to itself. Longer
 * than any one attempt can take (connection, greeting and transfer timeouts); if the process dies
 * sooner, the primary releases its leases at once, and a restart releases them all.
 */
export const DELIVERY_LEASE_MS = 10 * 60_000;

export interface RunnerDeps extends InjectDeps {
  queue: QueueStore;
  trace: TraceStore;
  spool: Spool;
  snapshot(): ConfigSnapshot;
  smtp: SmtpDelivery;
  dataDir: string;
  retry: RetryPolicy;
  concurrency: number;
  logger: Logger;
  /**
   * Run delivery bookkeeping in a transaction, shared with the bookkeeping of the deliveries that
   * finish in the same turn of the event loop (one WAL append for many, not one each). Not
   * fsynced on its own: losing a "delivered" mark in a power cut means a re-delivery, never a loss.
   */
  transact(fn: () => void): Promise<void>;
  onAttempt?(attempt: DeliveryAttempt): void;
}

export function backoff(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempts));
}

export function targetFor(org: Organization, recipient: string): DeliveryTarget {
  return org.DomainDelivery[domainOf(recipient)] ?? org.Delivery;
}

export class QueueRunner {
  private leased = new Set<number>();
  private inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private kicked = false;
  /** Something may be due that we have not fetched yet: new mail, a retry time passed, or more rows than room. */
  private dirty = true;

  constructor(private readonly d: RunnerDeps) {}

  start(pollMs = 1000): void {
    this.timer = setInterval(() => this.kick(), pollMs);
    this.kick();
  }

  /** There is new work (called after every commit, and by the retry timer). */
  kick(): void {
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopping || this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.fill();
    });
  }

  /** Stop taking work and wait for deliveries in flight; the queue stays consistent. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** The lease for what this process accepts: its first delivery attempt is this runner's. */
  lease(): { owner: number; until: number } {
    return { owner: process.pid, until: Date.now() + DELIVERY_LEASE_MS };
  }

  /**
   * Deliver a message this process just accepted under its lease, from the bytes in hand (no
   * queue read). What does not fit in the concurrency limit is released to the queue, where any
   * runner picks it (`onReleased` tells them).
   */
  take(fresh: FreshMessage, onReleased?: () => void): void {
    if (!fresh.due.length) return;
    const groups = this.groups(fresh.due);
    const room = this.stopping ? 0 : this.d.concurrency - this.inFlight.size;
    for (const group of groups.slice(0, room)) this.launch(group, fresh.source);
    const over = groups.slice(Math.max(0, room)).flat();
    if (over.length) {
      void this.d
        .transact(() => this.d.queue.releaseRows(over.map((r) => r.id), Date.now()))
        .then(() => (onReleased ? onReleased() : this.kick()))
        .catch((err) => this.d.logger.error({ err }, 'releasing delivery leases failed'));
    }
  }

  private fill(): void {
    const room = this.d.concurrency - this.inFlight.size;
    if (room <= 0 || this.stopping || !this.dirty) return;
    this.dirty = false;
    const due = this.d.queue.due(Date.now(), room * 8, this.leased);
    const groups = this.groups(due);
    if (groups.length > room || due.length === room * 8) this.dirty = true; // more than we can start now
    for (const group of groups.slice(0, room)) this.launch(group);
  }

  /** One delivery per copy and target: recipients of one copy bound for one next hop share a transaction. */
  private groups(due: DueRecipient[]): DueRecipient[][] {
    const groups = new Map<string, DueRecipient[]>();
    for (const r of due) {
      const key = `${r.networkMessageId}|${this.targetKey(r)}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return [...groups.values()];
  }

  /** `source`: the message's bytes or file when in hand (a fresh message); otherwise read from the queue. */
  private launch(group: DueRecipient[], source?: MessageSource): void {
    for (const r of group) this.leased.add(r.id);
    const p = this.deliver(group, source)
      .catch((err) => this.d.logger.error({ err }, 'delivery crashed'))
      .finally(() => {
        for (const r of group) this.leased.delete(r.id);
        this.inFlight.delete(p);
        this.schedule();
      });
    this.inFlight.add(p);
  }

  private org(r: DueRecipient): Organization | undefined {
    return this.d.snapshot().organizations.find((o) => o.Guid === r.orgGuid);
  }

  private targetKey(r: DueRecipient): string {
    const org = this.org(r);
    return org ? JSON.stringify(targetFor(org, r.recipient)) : 'none';
  }

  private async deliver(group: DueRecipient[], source?: MessageSource): Promise<void> {
    const first = group[0];
    const org = this.org(first);
    let results: Map<string, DeliveryResult>;
    let event = 'DELIVER';
    let nextHop = 'none';
    // Read once per group: a message queued with its bytes reads them from the store.
    const sourceOf = () => (source ??= this.source(first));
    if (!org) {
      results = new Map(group.map((r) => [r.recipient, { ok: false, permanent: true, response: '550 5.4.1 The organization no longer exists' }]));
    } else {
      const target = targetFor(org, first.recipient);
      nextHop = nextHopOf(target);
      if (target.kind === 'discard') {
        results = new Map(group.map((r) => [r.recipient, { ok: true, response: '250 2.0.0 Discarded' }]));
      } else if (target.kind === 'maildir') {
        results = new Map();
        for (const r of group) {
          const stream = await messageStream(sourceOf(), r.edits);
          results.set(r.recipient, await deliverToMaildir(resolve(this.d.dataDir, target.path), r.recipient, stream));
        }
      } else {
        event = 'SEND';
        const stream = await messageStream(sourceOf(), first.edits);
        results = await this.d.smtp.deliver(target, first.mailFrom, group.map((r) => r.recipient), stream);
      }
    }
    const now = Date.now();
    const outcomes = group.map((r) => ({ r, res: results.get(r.recipient)!, fate: this.fate(r, results.get(r.recipient)!, now) }));
    // A report is queued durably before the failure is recorded: a crash in between can at
    // worst repeat the attempt (and the report), never lose the report.
    const failed = outcomes.filter((o) => o.fate === 'failed');
    if (failed.length) await this.bounce(failed.map(({ r, res }) => ({ r, res: res as Failure })), sourceOf);
    let finished: string[] = [];
    await this.d.transact(() => {
      for (const o of outcomes) this.record(o.r, o.res, o.fate, event, now);
      finished = this.d.queue.reapFinished(group.map((r) => r.messageId));
    });
    for (const o of outcomes) this.report(o.r, o.res, o.fate, nextHop, now);
    for (const file of finished) await this.d.spool.remove(file);
  }

  /** The attempt's log line (as Postfix's delivery lines: to, relay, delay, dsn, status), once it is recorded. */
  private report(r: DueRecipient, res: DeliveryResult, fate: Fate, nextHop: string, now: number): void {
    const attempt = r.attempts + 1;
    const latencyMs = now - r.receivedAt;
    this.d.logger.info(
      {
        queueId: r.messageId,
        networkMessageId: r.networkMessageId,
        recipient: r.recipient,
        nextHop,
        status: fate,
        enhancedCode: enhancedStatusOf(res.response, DEFAULT_ENHANCED[fate]),
        delay: latencyMs / 1000,
        attempt,
        response: res.response,
      },
      'delivery',
    );
    this.d.onAttempt?.({ status: fate, attempt, latencyMs });
  }

  /** The message's spool file, or its bytes when it was queued without one. */
  private source(r: DueRecipient): MessageSource {
    return r.spoolFile || (this.d.queue.body(r.messageId) ?? Buffer.alloc(0));
  }

  private fate(r: DueRecipient, res: DeliveryResult, now: number): Fate {
    if (res.ok) return 'delivered';
    const expired = now - r.receivedAt >= this.d.retry.maxLifetimeMs;
    if (!res.permanent && !expired) return 'deferred';
    if (!res.permanent) res.response = `Message expired after the maximum queue lifetime; last error: ${res.response}`;
    return 'failed';
  }

  private record(r: DueRecipient, res: DeliveryResult, fate: Fate, event: string, now: number): void {
    const base = { orgGuid: r.orgGuid, networkMessageId: r.networkMessageId, recipient: r.recipient, at: now };
    const data = res.remote ? `remote=${res.remote}` : '';
    if (fate === 'delivered') {
      this.d.queue.markDone(r.id);
      this.d.trace.recordEvent({ ...base, event, action: event === 'SEND' ? 'Send' : 'Deliver', detail: res.response, data }, 'Delivered');
    } else if (fate === 'deferred') {
      this.d.queue.markDeferred(r.id, now + backoff(this.d.retry, r.attempts), res.response);
      this.d.trace.recordEvent({ ...base, event: 'DEFER', action: 'Defer', detail: res.response, data }, 'Pending');
    } else {
      this.d.queue.markDone(r.id);
      this.d.trace.recordEvent({ ...base, event: 'FAIL', action: 'Fail', detail: res.response, data }, 'Failed');
    }
  }

  private async bounce(items: { r: DueRecipient; res: Failure }[], source: () => MessageSource): Promise<void> {
    const first = items[0].r;
    if (!first.mailFrom || first.bounce) return; // never bounce the null sender or a bounce
    const { header } = await readHeaderBlock(source());
    const ndr = buildNdr({
      reportingMta: this.d.hostname,
      to: first.mailFrom,
      originalHeaders: header,
      failed: items.map(({ r, res }) => failedRecipient(r.recipient, res.response, res.permanent, res.remote)),
      arrival: new Date(first.receivedAt),
      queueId: first.messageId,
    });
    const { unroutable } = await injectMessage(this.d, ndr, '', [first.mailFrom], { bounce: true });
    if (unroutable.length) this.d.logger.warn({ to: first.mailFrom, queueId: first.messageId }, 'non-delivery report has no route (sender outside the accepted domains)');
  }
}
