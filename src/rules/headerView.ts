// The header block and addresses of one message as the rules read them during one evaluation:
// values decoded and address lists parsed on first use and cached, the AuthAs stamp Postern
// decided, and header edits made by earlier rules (SetHeaderName, RemoveHeader, PrependSubject)
// visible to later ones, as in Exchange. view.ts adds the rule machinery (gates, matchers).
import type { HeaderField } from '../message/facts.js';
import { domainOf } from '../message/facts.js';
import { decodeHeaderValue, parseAddressList } from '../message/mime.js';
import type { RuleInput } from './input.js';
import { parseClientIp, type ClientIp } from './ipRanges.js';
import type { SenderAddressLocation } from './model.js';

// The accepted-domain set, built once per domain list (the caller passes the same array per tenant).
const domainSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function orgDomainSet(domains: readonly string[]): ReadonlySet<string> {
  let set = domainSets.get(domains);
  if (!set) {
    set = new Set(domains.map((d) => d.toLowerCase()));
    domainSets.set(domains, set);
  }
  return set;
}

const AUTH_AS = 'x-ms-exchange-organization-authas';

/** The addresses of an address-list header's values (usually one value: no flatMap on the hot path). */
function addresses(values: readonly string[]): string[] {
  if (values.length === 1) return parseAddressList(values[0]);
  const out: string[] = [];
  for (const v of values) for (const a of parseAddressList(v)) out.push(a);
  return out;
}

/**
 * Is a header's name (as written) `lower`, a lower-case name? Compared in place: lower-casing
 * every header name for every lookup allocated a string each time.
 */
export function nameIs(name: string, lower: string): boolean {
  const len = lower.length;
  if (name.length !== len) return false;
  for (let i = 0; i < len; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    else if (c > 0x7f) return name.toLowerCase() === lower; // not ASCII: let the runtime fold it
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export abstract class HeaderView {
  protected headers: HeaderField[];
  protected rawCache = new Map<string, string[]>();
  /** True once the AuthAs stamp is materialised into `headers` (see withoutHeader()). */
  protected stamped = false;
  protected domainCache = new Map<string, string>();
  protected decoded = new Map<string, string[]>();
  protected clientIpCache?: ClientIp | null;
  protected orgDomainsCache?: ReadonlySet<string>;
  protected fromCache?: string[];
  protected mailFromCache?: string;
  protected mailFromListCache?: string[];
  protected toCache?: string[];
  protected ccCache?: string[];
  protected rcptCache?: string[];
  protected allRcptCache?: string[];
  protected scl: number | undefined;

  constructor(readonly input: RuleInput) {
    this.headers = input.facts.headers;
    this.scl = input.scl;
  }

  /** The connecting client's address, parsed on first use (undefined when it isn't one). */
  get clientIp(): ClientIp {
    if (this.clientIpCache === undefined) this.clientIpCache = parseClientIp(this.input.facts.client.ip) ?? null;
    return this.clientIpCache ?? undefined;
  }

  /** The organization's accepted domains, lower-case. */
  get orgDomains(): ReadonlySet<string> {
    return (this.orgDomainsCache ??= orgDomainSet(this.input.orgDomains));
  }

  // -- headers --------------------------------------------------------------------------------

  /** Raw values of a header (lower-case name), in order. */
  raw(lowerName: string): string[] {
    let v = this.rawCache.get(lowerName);
    if (!v) {
      if (lowerName === AUTH_AS && !this.stamped) {
        v = [this.input.authAs];
        this.rawCache.set(lowerName, v);
        return v;
      }
      v = [];
      for (const h of this.headers) if (nameIs(h.name, lowerName)) v.push(h.value);
      this.rawCache.set(lowerName, v);
    }
    return v;
  }

  /** Values of a header after encoded-word decoding (lower-case name). */
  header(lowerName: string): string[] {
    let d = this.decoded.get(lowerName);
    if (!d) {
      d = this.raw(lowerName).map(decodeHeaderValue);
      this.decoded.set(lowerName, d);
    }
    return d;
  }

  get subject(): string {
    return this.header('subject')[0] ?? '';
  }

  /** Add or replace a header (SetHeaderName/SetHeaderValue): later rules see the new value. */
  setHeader(name: string, value: string): void {
    const lower = name.toLowerCase();
    const kept = this.withoutHeader(lower);
    kept.push({ name, value });
    this.replaceHeaders(kept, lower);
  }

  removeHeader(name: string): void {
    const lower = name.toLowerCase();
    this.replaceHeaders(this.withoutHeader(lower), lower);
  }

  prependSubject(prefix: string): void {
    const current = this.raw('subject')[0] ?? '';
    let done = false;
    const next = this.headers.map((h) => {
      if (!done && nameIs(h.name, 'subject')) {
        done = true;
        return { name: h.name, value: prefix + current };
      }
      return h;
    });
    if (!done) next.push({ name: 'Subject', value: prefix });
    this.replaceHeaders(next, 'subject');
  }

  setScl(scl: number): void {
    this.scl = scl;
  }

  get currentScl(): number | undefined {
    return this.scl;
  }

  /**
   * The header block without the fields named `lower`, as a new array for an edit.
   * X-MS-Exchange-Organization-AuthAs is what this gateway's attribution decided (input.authAs),
   * never what the message carried: Exchange stamps it itself, which is what makes the Direct
   * Send article's "AuthAs is Internal" exception safe against forged headers. At the first
   * header edit, the stamp becomes a real header so later rules see edits on top of it.
   */
  protected withoutHeader(lower: string): HeaderField[] {
    const first = !this.stamped;
    this.stamped = true;
    const out: HeaderField[] = [];
    for (const h of this.headers) if (!nameIs(h.name, lower) && !(first && nameIs(h.name, AUTH_AS))) out.push(h);
    // (An edit of AuthAs itself replaces or removes the stamp.)
    if (first && lower !== AUTH_AS) out.push({ name: 'X-MS-Exchange-Organization-AuthAs', value: this.input.authAs });
    return out;
  }

  /** Take an edited header block; forget only what was derived from the edited header. */
  private replaceHeaders(headers: HeaderField[], lowerName: string): void {
    this.headers = headers;
    this.rawCache.delete(lowerName);
    this.decoded.delete(lowerName);
    if (lowerName === 'from') this.fromCache = undefined;
    else if (lowerName === 'to') this.toCache = undefined;
    else if (lowerName === 'cc') this.ccCache = undefined;
    this.headerChanged(lowerName);
  }

  /** A header was edited: forget what the subclass derived from it. */
  protected abstract headerChanged(lowerName: string): void;

  // -- addresses -------------------------------------------------------------------------------

  get fromAddresses(): string[] {
    return (this.fromCache ??= addresses(this.raw('from')));
  }

  get mailFrom(): string {
    return (this.mailFromCache ??= this.input.facts.envelope.mailFrom.toLowerCase());
  }

  /**
   * The addresses the sender conditions (From, SenderDomainIs) read at a SenderAddressLocation:
   * the From header's (with no From header at all, the envelope's), MAIL FROM, or both. The
   * sender gates read the same, which is what lets a gate stand for its condition.
   */
  senderAddresses(location: SenderAddressLocation): readonly string[] {
    if (location === 'Envelope') return this.mailFromList;
    const header = this.fromAddresses.length ? this.fromAddresses : this.mailFromList;
    return location === 'Header' ? header : [...header, this.mailFrom];
  }

  /** The envelope sender as a one-address list (gates and fields read addresses as lists). */
  protected get mailFromList(): string[] {
    return (this.mailFromListCache ??= [this.mailFrom]);
  }

  get toAddresses(): string[] {
    return (this.toCache ??= addresses(this.raw('to')));
  }

  get ccAddresses(): string[] {
    return (this.ccCache ??= addresses(this.raw('cc')));
  }

  /** The recipients being decided for (RuleInput.recipients, default all), lower-case. */
  get recipients(): string[] {
    return (this.rcptCache ??= (this.input.recipients ?? this.input.facts.envelope.rcptTo).map((r) => r.toLowerCase()));
  }

  /** Every envelope recipient of the message, lower-case. */
  get allRecipients(): string[] {
    if (!this.input.recipients) return this.recipients;
    return (this.allRcptCache ??= this.input.facts.envelope.rcptTo.map((r) => r.toLowerCase()));
  }

  /** Domain of an address, lower-case (memoised: many rules ask about the same few addresses). */
  domain(address: string): string {
    let d = this.domainCache.get(address);
    if (d === undefined) {
      d = domainOf(address);
      this.domainCache.set(address, d);
    }
    return d;
  }

  /** Is the address in one of the organization's accepted domains? */
  inOrgDomain(address: string): boolean {
    return this.orgDomains.has(this.domain(address));
  }
}
