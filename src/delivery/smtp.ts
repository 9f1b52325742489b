// SMTP / LMTP next-hop delivery with nodemailer: STARTTLS per policy, the configured client
// certificate, pooled connections per target. Per-recipient results, so one refused recipient
// doesn't fail the others.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DeliveryTarget } from '../config/model.js';
import { failure, type DeliveryResult } from './agent.js';

type SmtpTarget = Extract<DeliveryTarget, { kind: 'smtp' | 'lmtp' }>;

export class SmtpDelivery {
  private transports = new Map<string, Transporter>();

  constructor(private readonly dataDir: string, private readonly hostname: string) {}

  private transport(t: SmtpTarget): Transporter {
    const key = JSON.stringify(t);
    let tr = this.transports.get(key);
    if (!tr) {
      const file = (p?: string) => (p ? readFileSync(resolve(this.dataDir, p)) : undefined);
      tr = nodemailer.createTransport({
        host: t.host,
        port: t.port,
        lmtp: t.kind === 'lmtp',
        secure: false,
        name: this.hostname,
        requireTLS: t.starttls === 'required',
        ignoreTLS: t.starttls === 'none',
        pool: true,
        maxConnections: 5,
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 120_000,
        tls: { rejectUnauthorized: t.verifyCertificate, ca: file(t.caFile), cert: file(t.clientCertFile), key: file(t.clientKeyFile), servername: t.host },
      } as any);
      this.transports.set(key, tr);
    }
    return tr;
  }

  async deliver(t: SmtpTarget, mailFrom: string, recipients: string[], message: Readable): Promise<Map<string, DeliveryResult>> {
    const remote = `${t.host}:${t.port}`;
    const results = new Map<string, DeliveryResult>();
    try {
      const info: any = await this.transport(t).sendMail({ envelope: { from: mailFrom, to: recipients }, raw: message } as any);
      const rejected = new Map<string, any>();
      for (const e of info.rejectedErrors ?? []) rejected.set(String(e.recipient).toLowerCase(), e);
      for (const r of recipients) {
        const e = rejected.get(r.toLowerCase());
        results.set(r, e ? failure(e, remote) : { ok: true, response: String(info.response ?? '250 OK'), remote });
      }
    } catch (err) {
      for (const r of recipients) results.set(r, failure(err, remote));
    }
    return results;
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
