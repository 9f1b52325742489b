// The SMTP listener: smtp-server for the protocol, Postern's steps for every decision.
// One instance per listening socket (plain/STARTTLS, and optionally implicit TLS).
import type { TLSSocket } from 'node:tls';
import type { SMTPServerOptions } from 'smtp-server';
import { PosternSmtpServer } from './connection.js';
import type { ListenerContext } from './context.js';
import { onData } from './data.js';
import { onRcptTo } from './rcpt.js';
import { unsupportedParameter } from './params.js';
import { recordReject, reportRefusal } from './reject.js';
import { clientWentAway, normaliseIp, smtpError, stateOf, type SessionLike } from './session.js';
import { peerCertificateOf } from './tls.js';

export interface Listener {
  server: PosternSmtpServer;
  listen(port: number, host: string): Promise<number>;
  /** Stop accepting; sessions in flight finish (smtp-server closes idle ones). */
  close(): Promise<void>;
}

export function createListener(ctx: ListenerContext, opts: { implicitTls?: boolean } = {}): Listener {
  const options: SMTPServerOptions = {
    name: ctx.hostname,
    banner: 'Postern ESMTP',
    secure: opts.implicitTls ?? false,
    key: ctx.tls.key,
    cert: ctx.tls.cert,
    ca: ctx.tls.ca,
    requestCert: true,
    rejectUnauthorized: false,
    size: ctx.limits.maxMessageSize,
    maxClients: ctx.limits.maxConnections,
    socketTimeout: ctx.limits.idleTimeoutMs,
    closeTimeout: 30_000,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideENHANCEDSTATUSCODES: false,
    useProxy: ctx.trustedProxies.length ? ctx.trustedProxies : false,
    logger: false,

    onConnect(session, callback) {
      const ip = normaliseIp(session.remoteAddress);
      const admitted = (ok: boolean) => {
        if (!ok) {
          const text = `4.7.0 Too many connections from ${ip}, try again later`;
          reportRefusal(ctx, { ip, stage: 'CONNECT', code: 421, text, reason: 'TooManyConnectionsPerIp' });
          return callback(smtpError(421, text));
        }
        // Gone while the primary was asked (worker processes): give the counted slot back.
        if ((session as unknown as SessionLike).closedUnadmitted) return ctx.connections.close(ip);
        ctx.metrics.connections(1);
        stateOf(session as unknown as SessionLike);
        callback();
      };
      const ok = ctx.connections.open(ip);
      if (typeof ok === 'boolean') admitted(ok);
      else ok.then(admitted, () => admitted(false));
    },

    onClose(session) {
      const s = session as unknown as SessionLike;
      if (!s) return;
      if (!s.postern) {
        // Closed before onConnect admitted it (early talker, refused, or still being counted).
        s.closedUnadmitted = true;
        return;
      }
      ctx.connections.close(s.postern.client.ip);
      ctx.metrics.connections(-1);
    },

    onSecure(socket, session, callback) {
      const state = stateOf(session as unknown as SessionLike);
      const tls = socket as TLSSocket;
      const cipher = tls.getCipher?.();
      state.client.tlsVersion = tls.getProtocol?.() ?? cipher?.version;
      state.client.tlsCipher = cipher?.name;
      state.client.peerCertificate = peerCertificateOf(tls);
      callback();
    },

    onMailFrom(address, session, callback) {
      const refused = unsupportedParameter('MAIL', address.args);
      if (refused) return callback(refused);
      stateOf(session as unknown as SessionLike).recipients = [];
      callback();
    },

    onRcptTo(address, session, callback) {
      callback(unsupportedParameter('RCPT', address.args) ?? onRcptTo(ctx, address.address, session as unknown as SessionLike) ?? null);
    },

    onData(stream, session, callback) {
      onData(ctx, stream, session as unknown as SessionLike).then(
        (reply) => callback(null, reply),
        (err) => {
          if (clientWentAway(err)) ctx.logger.info({ session: session.id, ip: normaliseIp(session.remoteAddress) }, 'client left during DATA; nothing queued');
          else if (!err.responseCode) ctx.logger.error({ err }, 'DATA failed');
          callback(err.responseCode ? err : smtpError(451, '4.3.0 Temporary failure storing the message, try again later'));
        },
      );
    },
  };

  const server = new PosternSmtpServer(options, {
    greetDelayMs: (ip) => ctx.greetDelayMs(normaliseIp(ip)),
    sessionTimeoutMs: ctx.limits.sessionTimeoutMs,
    minDataRate: ctx.limits.minDataRate,
    minDataRateGraceMs: ctx.limits.minDataRateGraceMs,
    onDataTooSlow(session, reply) {
      const s = session as unknown as SessionLike;
      const mailFrom = s.envelope.mailFrom ? s.envelope.mailFrom.address : '';
      recordReject(ctx, stateOf(s), s.id, { stage: 'DATA', code: 421, text: reply, reason: 'min-data-rate', mailFrom });
    },
  });
  server.on('error', (err) => {
    // A client that resets or drops the connection is routine, not a fault of the gateway.
    if (clientWentAway(err)) ctx.logger.info({ ip: (err as { remoteAddress?: string }).remoteAddress, code: (err as { code?: string }).code }, 'client left mid-session');
    else ctx.logger.warn({ err: err.message }, 'smtp error');
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => resolve((server.server.address() as { port: number }).port));
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
