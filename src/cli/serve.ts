// `postern serve`: SMTP listener, delivery, admin HTTP. Stops gracefully on SIGINT/SIGTERM.
import { Command } from 'commander';
import { join } from 'node:path';
import cluster from 'node:cluster';
import { startGateway, startSmtpWorker } from './gateway.js';
import { createLogger } from './logger.js';
import { requireDataDir, withDataDir } from './common.js';
import { DataDirModeError, secureDataDir } from './privacy.js';
import { lockDataDir } from './serveLock.js';
import { readSettings, settingsFile } from './settings.js';
import { describeStartupError, type ListenSources } from './startupErrors.js';

export function register(program: Command): void {
  withDataDir(program.command('serve'))
    .description('run the gateway: SMTP listener, delivery queue, admin center and REST API, /health, /metrics')
    .option('--smtp <host:port>', 'SMTP listen address (default 127.0.0.1:2525)')
    .option('--http <host:port>', 'admin HTTP listen address (default 127.0.0.1:8025)')
    .option('-c, --config <file>', 'server settings YAML (default <data-dir>/postern.yaml when present)')
    .option('--banner', 'print where everything is and how to try it')
    .action(async (opts: { dataDir: string; smtp?: string; http?: string; config?: string; banner?: boolean }) => {
      const dataDir = requireDataDir(opts.dataDir);
      const file = settingsFile(dataDir, opts.config);
      const settings = readSettings(file, { ...(opts.smtp && { smtp: opts.smtp }), ...(opts.http && { http: opts.http }) });
      const sources: ListenSources = { settingsFile: file, fromCommandLine: new Set((['smtp', 'http'] as const).filter((k) => opts[k])) };
      const failed = (err: unknown): never => {
        console.error(`postern serve: ${describeStartupError(err, settings, sources, dataDir)}`);
        process.exit(1);
      };
      const logger = createLogger();
      if (cluster.isWorker) return startSmtpWorker(dataDir, settings, logger.child({ worker: cluster.worker!.id })).catch(failed);
      try {
        secureDataDir(dataDir, logger);
      } catch (err) {
        if (!(err instanceof DataDirModeError)) throw err;
        console.error(`postern: ${err.message}`);
        process.exit(1);
      }
      // The primary holds the lock; its SMTP workers run under it and die with it.
      lockDataDir(dataDir);
      // Signals are handled from the start: one that arrives while the gateway is starting
      // stops it as soon as it is up.
      let stopping = false;
      const started = startGateway(dataDir, settings, logger);
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: no new connections, finishing sessions and deliveries in flight');
        await (await started.catch(() => undefined))?.stop();
        logger.info('stopped');
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      const gw = await started.catch(failed);
      logger.info({ smtp: gw.smtpPort, smtps: gw.smtpsPort, http: gw.httpPort, dataDir }, 'postern ready');
      const adminUrl = `${settings.httpTlsCertFile ? 'https' : 'http'}://${settings.http.split(':')[0]}:${gw.httpPort}/`;
      if (gw.firstLogin) {
        // Shown once: only the hash is kept. Lost? `postern user set-password admin`.
        console.log(
          [
            '',
            `Admin center  ${adminUrl}`,
            `  One-time login — user: ${gw.firstLogin.userName}   password: ${gw.firstLogin.password}`,
            `  (shown only now; change it with: postern user set-password ${gw.firstLogin.userName} --data-dir ${dataDir})`,
            '',
          ].join('\n'),
        );
      }
      if (opts.banner) {
        const host = settings.smtp.split(':')[0];
        console.log(
          [
            '',
            `Postern is running.`,
            `  SMTP      ${host}:${gw.smtpPort} (STARTTLS with a self-signed certificate in ${join(dataDir, 'tls')})`,
            `  Admin     ${adminUrl}   API: ${adminUrl}api/openapi.json   health: /health   metrics: /metrics`,
            `  Data      ${dataDir} (database postern.db, spool/, maildir/)`,
            '',
            `Try it:  swaks --server ${host}:${gw.smtpPort} --tls --to user@contoso.com --from ceo@contoso.com`,
            `Then:    ls ${join(dataDir, 'maildir', 'contoso.com', 'user', 'new')}`,
            '',
          ].join('\n'),
        );
      }
    });
}
