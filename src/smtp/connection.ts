// Postern's own SMTP server class, a narrow extension of smtp-server's: it owns connection
// construction so that two protocol details become policy instead of hard-coded behaviour.
//
// 1. The early-talker pause. smtp-server 3.21 waits a fixed 100 ms before every greeting to catch
//    clients that talk before being greeted. With one message per connection that caps a session
//    at ~10 messages/s. Postern makes the pause a per-client policy (greetDelayMs), 0 for trusted
//    peers; commands sent before the greeting are still refused ("You talk too soon") because
//    smtp-server rejects input until connectionReady() has run.
// 2. Enhanced status codes. Postern's replies carry Exchange's exact codes in their text
//    ("5.7.68 TenantInboundAttribution; ..."), so the automatic code is left off those lines.
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

const HAS_ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3}\s/;

export interface GreetingPolicy {
  /** Milliseconds to wait before the greeting, given the client address. */
  greetDelayMs(remoteAddress: string): number;
}

class PosternConnection extends (SMTPConnection as any) {
  init(this: any): void {
    this._setListeners(() => {
      if (this._server.options.maxClients && this._server.connections.size > this._server.options.maxClients) {
        return this.send(421, this.name + ' Too many connected clients, try again in a moment', false);
      }
      const delay = (this._server as PosternSmtpServer).greeting.greetDelayMs(this.remoteAddress);
      if (delay <= 0) return this.connectionReady();
      setTimeout(() => this.connectionReady(), delay).unref();
    });
  }

  send(this: any, code: number, data: unknown, context?: unknown): void {
    if (typeof data === 'string' && HAS_ENHANCED_CODE.test(data)) return super.send(code, data, false);
    return super.send(code, data, context);
  }
}

export class PosternSmtpServer extends SMTPServer {
  constructor(options: SMTPServerOptions, readonly greeting: GreetingPolicy) {
    super(options);
  }

  // smtp-server calls connect() for every accepted socket (after PROXY/TLS handling).
  override connect(socket: Socket, socketOptions: unknown): void {
    const self = this as any;
    const connection = new (PosternConnection as any)(this, socket, socketOptions);
    self.connections.add(connection);
    connection.on('error', (err: Error) => self._onError(err));
    connection.on('connect', (data: unknown) => self._onClientConnect(data));
    connection.init();
  }
}
