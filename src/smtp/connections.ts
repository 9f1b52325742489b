// Connections per client IP, counted across every process that takes mail on this node (as
// Postfix's anvil counts them across its smtpd processes). In one process the counter is local;
// with several SMTP worker processes the workers ask the primary, which holds the one count.

export interface ConnectionCounter {
  /** Count a new connection from `ip`; false (and not counted) when the IP is at its limit. */
  open(ip: string): boolean | Promise<boolean>;
  /** A counted connection from `ip` has closed. */
  close(ip: string): void;
}

export class PerIpCounter implements ConnectionCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  open(ip: string): boolean {
    const n = (this.counts.get(ip) ?? 0) + 1;
    if (n > this.limit) return false;
    this.counts.set(ip, n);
    return true;
  }

  close(ip: string): void {
    const n = (this.counts.get(ip) ?? 1) - 1;
    if (n <= 0) this.counts.delete(ip);
    else this.counts.set(ip, n);
  }
}
