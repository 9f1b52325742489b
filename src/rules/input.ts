// What transport rules are given for one message: its facts (message/), how the sender
// authenticated, the organization's accepted domains, the clock, and the content scan when a
// rule needs it; and what a matched condition reports.
import type { MessageFacts } from '../message/facts.js';

export type AuthAs = 'Anonymous' | 'Partner' | 'Internal';

export interface AttachmentFacts {
  name: string;
  size: number;
  contentType: string;
  /** Extracted text (the caller supplies at most the first 1 MB). */
  text?: string;
  isExecutable: boolean;
  isPasswordProtected: boolean;
  isUnsupported: boolean;
}

export interface MessageContent {
  /** The first 1 MB of the body's extracted text. */
  bodyText: string;
  attachments: AttachmentFacts[];
  /** True when the content scanner gave up on an attachment (AttachmentProcessingLimitExceeded). */
  processingLimitExceeded?: boolean;
}

export interface RuleInput {
  facts: MessageFacts;
  /** How the source authenticated (mailflow attribution): Internal = the organization's own. */
  authAs: AuthAs;
  connectorName?: string;
  /** The organization's accepted domains (FromScope/SentToScope InOrganization), lower-case. */
  orgDomains: readonly string[];
  /** Evaluation time, for ActivationDate/ExpiryDate. */
  now: Date;
  /** Body and attachment text; required only when the compiled set `needs` them. */
  content?: MessageContent;
  /** The message's spam confidence level, when known (SCLOver). */
  scl?: number;
  /**
   * The recipients this evaluation decides for (default: every envelope recipient). Recipient
   * conditions (SentTo, SentToScope, RecipientAddress…, RecipientDomainIs) look at these;
   * AnyOfRecipientAddress… always looks at all. evaluatePerRecipient sets it.
   */
  recipients?: readonly string[];
}

export interface Hit {
  /** The configured value that matched. */
  value: string;
  /** What it matched: an address, "Subject", a header name, an attachment name… */
  on: string;
}
