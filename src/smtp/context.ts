// Everything a listener needs from the rest of the gateway, passed in (no globals).
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import type { RuleRef } from '../rules/index.js';
import type { ConfigSnapshot } from '../mailflow/snapshot.js';
import type { FreshMessage } from '../queue/commit.js';
import type { GroupCommit, Spool } from '../queue/spool.js';
import type { DeliveryLease, QueueStore, TraceStore } from '../store/ports.js';
import type { ConnectionCounter } from './connections.js';
import type { SmtpLimits } from './limits.js';
import type { TlsFiles } from './tls.js';

export interface SmtpMetrics {
  accepted(n: number): void;
  rejected(stage: string, code: number, enhancedCode: string): void;
  connections(delta: number): void;
  /** An accepted message reached an organization through this connector ('' = none). */
  inbound(orgGuid: string, connector: string): void;
  /** Recipients of an accepted message held in the organization's quarantine. */
  quarantined(orgGuid: string, recipients: number): void;
  /** Transport rules that matched a message (enforced or in an audit mode), accepted or not. */
  ruleHits(orgGuid: string, rules: RuleRef[]): void;
}

export interface ListenerContext {
  hostname: string;
  limits: SmtpLimits;
  tls: TlsFiles;
  snapshot(): ConfigSnapshot;
  spool: Spool;
  commit: GroupCommit;
  queue: QueueStore;
  trace: TraceStore;
  logger: Logger;
  metrics: SmtpMetrics;
  /** Addresses allowed to send a PROXY protocol header. */
  trustedProxies: string[];
  /** Greeting delay for a client address (early-talker detection). */
  greetDelayMs(ip: string): number;
  /** Connections per client IP, counted across the node's SMTP processes. */
  connections: ConnectionCounter;
  /** The lease under which this process delivers the first attempt of what it accepts (absent: the queue runner picks it). */
  deliveryLease?(): DeliveryLease;
  /** Told after each commit, with what was leased to this process, so delivery can start at once. */
  onQueued(fresh: FreshMessage): void;
  /** Sender authentication (SPF, DKIM, DMARC, ARC); absent when turned off. */
  authenticator?: Authenticator;
}
