// What the decision stages know about one message: the SMTP facts, the envelope, the top-level
// header block, and lazy access to the body. Built by the SMTP edge (or by `postern simulate`
// from an .eml), consumed by attribution, admission, the header firewall, rules and disposition.

export interface PeerCertificate {
  /** Subject common name, when present. */
  subjectCN?: string;
  /** SAN DNS names. */
  dnsNames: string[];
  /** SHA-256 fingerprint, colon-separated hex as Node prints it. */
  fingerprint256: string;
  /** True when the certificate chains to the configured CA bundle (the trust store). */
  trusted: boolean;
}

export interface ClientFacts {
  /** The connecting (or PROXY-protocol reported) address, IPv4 or IPv6, normalised (no ::ffff:). */
  ip: string;
  helo: string;
  /** Negotiated TLS version ("TLSv1.3") or undefined for a plain-text session. */
  tlsVersion?: string;
  tlsCipher?: string;
  peerCertificate?: PeerCertificate;
}

export interface Envelope {
  /** RFC 5321 MAIL FROM; '' for the null sender <>. */
  mailFrom: string;
  rcptTo: string[];
}

/** One header field as received: name as written, raw value (unfolded, not decoded). */
export interface HeaderField {
  name: string;
  value: string;
}

export interface MessageFacts {
  client: ClientFacts;
  envelope: Envelope;
  headers: HeaderField[];
  /** Size in bytes of the message as received. */
  size: number;
}

/** Domain part of an address, lower-cased; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/** Case-insensitive header lookup: every value of `name`, in order. */
export function headerValues(headers: HeaderField[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter((h) => h.name.toLowerCase() === lower).map((h) => h.value);
}
