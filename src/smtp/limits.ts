// Listener limits, each enforced with its own SMTP reply; the content-inspection limits
// (content/scan.ts) bound what is inspected of an accepted message, and are traced when hit.
import { DEFAULT_CONTENT_LIMITS, type ContentLimits } from '../content/scan.js';

export interface SmtpLimits extends ContentLimits {
  /** Bytes; announced in EHLO SIZE and enforced with 552 5.3.4. */
  maxMessageSize: number;
  maxRecipients: number;
  maxLineLength: number;
  maxHeaderBytes: number;
  maxConnectionsPerIp: number;
  maxConnections: number;
  /** Idle time allowed between commands. */
  idleTimeoutMs: number;
  /** Longest a whole session may last. */
  sessionTimeoutMs: number;
  /** Bytes per second a client must keep up during DATA (Postfix's smtpd_min_data_rate); 0: no minimum. */
  minDataRate: number;
  /** DATA time every client gets before the minimum rate counts, so a short pause is fine. */
  minDataRateGraceMs: number;
}

export const DEFAULT_LIMITS: SmtpLimits = {
  maxMessageSize: 35 * 1024 * 1024, // Exchange Online's default inbound limit (35 MB)
  maxRecipients: 500,
  maxLineLength: 32 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxConnectionsPerIp: 100,
  maxConnections: 5000,
  idleTimeoutMs: 60_000,
  sessionTimeoutMs: 30 * 60_000,
  minDataRate: 500, // as Postfix
  minDataRateGraceMs: 30_000,
  ...DEFAULT_CONTENT_LIMITS,
};
