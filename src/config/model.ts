// The organization model: tenants, their accepted domains, where their mail goes, and the
// organization-wide settings (OrganizationConfig). Zod schemas are the single definition used by
// the store, YAML import/export, the shell and the API. Connectors and transport rules have
// their own modules (config/inboundConnector.ts, rules/model.ts) and join the tree here.
import { z } from 'zod';
import { InboundConnectorList } from './inboundConnector.js';
import { TransportRule } from '../rules/model.js';
import { AntiPhishPolicy, ArcConfig } from './antiPhish.js';

export const DomainType = z.enum(['Authoritative', 'InternalRelay']);

export const AcceptedDomain = z.object({
  /** New-AcceptedDomain -Name: the domain's identity in the shell; absent = the domain name. */
  Name: z.string().min(1).max(64).optional(),
  DomainName: z.string().min(1).transform((d) => d.toLowerCase()),
  DomainType: DomainType.default('Authoritative'),
  Default: z.boolean().default(false),
});
export type AcceptedDomain = z.infer<typeof AcceptedDomain>;

export const MaildirTarget = z.object({
  kind: z.literal('maildir'),
  /** Root folder; each recipient gets `<root>/<domain>/<local>/{tmp,new,cur}`. Relative to the data dir. */
  path: z.string().min(1),
});

export const SmtpTarget = z.object({
  kind: z.enum(['smtp', 'lmtp']),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(25),
  /** opportunistic: STARTTLS when offered; required: refuse to deliver without it; none: never. */
  starttls: z.enum(['opportunistic', 'required', 'none']).default('opportunistic'),
  /** Verify the next hop's certificate against the system trust store (or caFile). */
  verifyCertificate: z.boolean().default(false),
  caFile: z.string().optional(),
  /** Client certificate presented to the next hop (paths relative to the data dir). */
  clientCertFile: z.string().optional(),
  clientKeyFile: z.string().optional(),
});

/**
 * Accept and drop, as Postfix's discard transport: the message is traced as delivered and its
 * spool file removed. For sink domains and for load tests that measure the gateway, not a next hop.
 */
export const DiscardTarget = z.object({ kind: z.literal('discard') });

export const DeliveryTarget = z.discriminatedUnion('kind', [MaildirTarget, SmtpTarget, DiscardTarget]);
export type DeliveryTarget = z.infer<typeof DeliveryTarget>;

export const OrganizationConfig = z.object({
  RejectDirectSend: z.boolean().default(false),
});
export type OrganizationConfig = z.infer<typeof OrganizationConfig>;

export const Organization = z.object({
  Name: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, . _ - only'),
  /** Stable GUID of the organization (ExternalDirectoryOrganizationId in Exchange). */
  Guid: z.string().uuid(),
  AcceptedDomains: z.array(AcceptedDomain).default([]),
  Delivery: DeliveryTarget,
  /** Per-domain override of Delivery, keyed by lower-case domain. */
  DomainDelivery: z.record(z.string(), DeliveryTarget).default({}),
  Config: OrganizationConfig.default({ RejectDirectSend: false }),
  InboundConnectors: InboundConnectorList.default([]),
  /** Mail flow rules, evaluated in Priority order (0 first). */
  TransportRules: z.array(TransportRule).default([]),
  /** What sender authentication acts on (Get/Set-AntiPhishPolicy); absent: the defaults. */
  AntiPhishPolicy: AntiPhishPolicy.optional(),
  /** The ARC sealers the organization trusts (Get/Set-ArcConfig); absent: none. */
  ArcConfig: ArcConfig.optional(),
});
export type Organization = z.infer<typeof Organization>;
