// Postern's own SMTP server class, a narrow extension of smtp-server's: it owns connection
// construction so that two protocol details become policy instead of hard-coded behaviour.
//
// 1. The early-talker pause. smtp-server 3.21 waits a fixed 100 ms before every greeting to catch
//    clients that talk before being greeted. With one message per connection that caps a session
//    at ~10 messages/s. Postern makes the pause a per-client policy (greetDelayMs), 0 for trusted
//    peers; commands sent before the greeting are still refused ("You talk too soon") because
//    smtp-server rejects input until connectionReady() has run.
// 2. A whole-session time limit (slow clients that stay just under the idle timeout forever):
//    when it passes, the session is told 421 and closed, unless it is in the middle of a message,
//    in which case it ends after that message's reply.
// 3. Enhanced status codes. Postern's replies carry Exchange's exact codes in their text
//    ("5.7.68 TenantInboundAttribution; ..."), so the automatic code is left off those lines.
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

const HAS_ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3}\s/;

export interface ConnectionPolicy {
  /** Milliseconds to wait before the greeting, given the client address. */
  greetDelayMs(remoteAddress: string): number;
  /** Longest a session may last, in milliseconds. */
  sessionTimeoutMs: number;
}

class PosternConnection extends (SMTPConnection as any) {
  init(this: any): void {
    const limit = setTimeout(() => this.endSession(), (this._server as PosternSmtpServer).policy.sessionTimeoutMs);
    limit.unref();
    this._socket.once('close', () => clearTimeout(limit));
    this._setListeners(() => {
      if (this._server.options.maxClients && this._server.connections.size > this._server.options.maxClients) {
        return this.send(421, this.name + ' Too many connected clients, try again in a moment', false);
      }
      const delay = (this._server as PosternSmtpServer).policy.greetDelayMs(this.remoteAddress);
      if (delay <= 0) return this.connectionReady();
      setTimeout(() => this.connectionReady(), delay).unref();
    });
  }

  endSession(this: any): void {
    if (this._closing || this._closed) return;
    if (this._dataStream || this._handlerPending) {
      // Mid-message: let it finish and close right after its reply.
      this._closeAfterTransaction = true;
      return;
    }
    this.send(421, '4.4.2 Session time limit exceeded, closing connection');
    this.close();
  }

  send(this: any, code: number, data: unknown, context?: unknown): void {
    if (typeof data === 'string' && HAS_ENHANCED_CODE.test(data)) super.send(code, data, false);
    else super.send(code, data, context);
    if (this._closeAfterTransaction && code >= 250 && code < 600 && !this._dataStream) {
      this._closeAfterTransaction = false;
      this.endSession();
    }
  }
}

export class PosternSmtpServer extends SMTPServer {
  constructor(options: SMTPServerOptions, readonly policy: ConnectionPolicy) {
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
