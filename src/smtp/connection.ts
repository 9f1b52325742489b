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
// 3. A minimum data rate during DATA (dataRate.ts): a client that falls behind it is told 421 and
//    disconnected; the message it was sending is discarded.
// 4. Enhanced status codes. Postern's replies carry Exchange's exact codes in their text
//    ("5.7.68 TenantInboundAttribution; ..."), so the automatic code is left off those lines.
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { DATA_TOO_SLOW_REPLY, dataRateDeadline } from './dataRate.js';

const HAS_ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3}\s/;

export interface ConnectionPolicy {
  /** Milliseconds to wait before the greeting, given the client address. */
  greetDelayMs(remoteAddress: string): number;
  /** Longest a session may last, in milliseconds. */
  sessionTimeoutMs: number;
  /** Bytes per second a client must keep up during DATA after the grace period; 0: no minimum. */
  minDataRate: number;
  minDataRateGraceMs: number;
  /** Told when a client is disconnected for sending too slowly (before the connection closes). */
  onDataTooSlow(session: unknown, reply: string): void;
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

  handler_DATA(this: any, command: unknown, callback: () => void): void {
    super.handler_DATA(command, callback);
    if (this._dataStream) this.watchDataRate();
  }

  /** Checks the client's progress at its deadline, which each byte received moves later. */
  watchDataRate(this: any): void {
    const { minDataRate, minDataRateGraceMs, onDataTooSlow } = (this._server as PosternSmtpServer).policy;
    if (!minDataRate) return;
    const stream = this._dataStream;
    const parser = this._parser;
    const startedAt = Date.now();
    const check = () => {
      // DATA is over (the terminator came, or the connection closed): nothing left to watch.
      if (this._dataStream !== stream || !parser._dataMode || this._closing || this._closed) return;
      const wait = dataRateDeadline(startedAt, parser.dataBytes, minDataRate, minDataRateGraceMs) - Date.now();
      if (wait > 0) {
        setTimeout(check, wait).unref();
        return;
      }
      onDataTooSlow(this.session, DATA_TOO_SLOW_REPLY);
      this.send(421, DATA_TOO_SLOW_REPLY);
      this.close();
      // close() only half-closes; a client this slow is not waited for to close its side.
      this._socket.destroySoon();
    };
    setTimeout(check, minDataRateGraceMs).unref();
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
