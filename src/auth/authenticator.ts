// The gateway's sender authentication service: one resolver (and so one DNS cache) per process,
// the time a message's authentication may take, and the verdicts for one message.
import { DnsResolver } from './dnsResolver.js';
import type { OpenFile } from './dkim.js';
import { authenticateMessage, VerdictMemo, type AuthenticationInput, type AuthVerdicts } from './verify.js';

export interface AuthenticatorSettings {
  /** host:port of each DNS server, or 'system'. */
  dnsServers: string[] | 'system';
  dnsTimeoutMs: number;
  /** The most one message's authentication may take; what is unfinished then is temperror. */
  authenticationTimeoutMs: number;
}

export class Authenticator {
  readonly resolver: DnsResolver;
  private readonly memo = new VerdictMemo();

  /** `openFile` reads a spooled message (node:fs's createReadStream at the edge). */
  constructor(
    private readonly settings: AuthenticatorSettings,
    private readonly openFile: OpenFile,
  ) {
    this.resolver = new DnsResolver({ servers: settings.dnsServers, timeoutMs: settings.dnsTimeoutMs });
  }

  /** The verdicts for one message, within authenticationTimeoutMs (or `budgetMs`, when shorter). */
  authenticate(input: AuthenticationInput, budgetMs = Infinity): Promise<AuthVerdicts> {
    return authenticateMessage(input, { lookup: this.resolver.lookup, openFile: this.openFile, timeoutMs: Math.min(budgetMs, this.settings.authenticationTimeoutMs), memo: this.memo });
  }

  close(): void {
    this.resolver.cancel();
  }
}

/** dnsServers as written in settings ('system', or host:port entries) for the resolver. */
export function dnsServersOf(setting: readonly string[] | 'system'): string[] | 'system' {
  if (setting === 'system' || setting.length === 0 || (setting.length === 1 && setting[0] === 'system')) return 'system';
  return [...setting];
}
