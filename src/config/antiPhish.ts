// The organization's anti-phishing settings that sender authentication acts on (EOP's default
// anti-phish policy, Get/Set-AntiPhishPolicy) and the ARC sealers it trusts (Get/Set-ArcConfig).
// Names and defaults are Exchange Online's, except AuthenticationFailAction: Exchange's default
// moves a spoof to the Junk Email folder, which a gateway cannot reach, so Postern's default
// quarantines it (MoveToJmf delivers with SCL 6 for the mailbox server to file as junk).
import { z } from 'zod';

export const DmarcRejectAction = z.enum(['Reject', 'Quarantine']);
export const DmarcQuarantineAction = z.enum(['Quarantine', 'MoveToJmf']);
export const AuthenticationFailAction = z.enum(['Quarantine', 'MoveToJmf']);

export const AntiPhishPolicy = z.object({
  Name: z.string().min(1).max(64).default('Office365 AntiPhish Default'),
  /** Spoof intelligence: act on messages that fail composite authentication. */
  EnableSpoofIntelligence: z.boolean().default(true),
  /** Honour the sender's DMARC p=reject / p=quarantine. */
  HonorDmarcPolicy: z.boolean().default(true),
  DmarcRejectAction: DmarcRejectAction.default('Reject'),
  DmarcQuarantineAction: DmarcQuarantineAction.default('Quarantine'),
  AuthenticationFailAction: AuthenticationFailAction.default('Quarantine'),
});
export type AntiPhishPolicy = z.infer<typeof AntiPhishPolicy>;

export const ArcConfig = z.object({
  /** Domains (the d= of an ARC-Seal) whose sealed verdicts the organization trusts. */
  ArcTrustedSealers: z.array(z.string().min(1).transform((d) => d.toLowerCase())).default([]),
});
export type ArcConfig = z.infer<typeof ArcConfig>;

export const DEFAULT_ANTI_PHISH_POLICY: AntiPhishPolicy = AntiPhishPolicy.parse({});
export const DEFAULT_ARC_CONFIG: ArcConfig = ArcConfig.parse({});
