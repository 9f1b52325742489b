// `postern init`: prepare a data directory (database, spool, TLS), optionally with the demo
// organization Contoso (contoso.com, Maildir delivery).
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { resolve } from 'node:path';
import type { Organization } from '../config/model.js';
import { loadOrCreateTls } from '../smtp/tls.js';
import { createStore, withDataDir } from './common.js';

export function demoOrganization(): Organization {
  return {
    Name: 'Contoso',
    Guid: randomUUID(),
    AcceptedDomains: [{ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true }],
    Delivery: { kind: 'maildir', path: 'maildir' },
    DomainDelivery: {},
    Config: { RejectDirectSend: false },
    InboundConnectors: [],
    TransportRules: [],
  };
}

export function register(program: Command): void {
  withDataDir(program.command('init'))
    .description('prepare a data directory: database, spool, TLS certificate')
    .option('--demo', 'add the demo organization Contoso (contoso.com, Maildir delivery)')
    .option('--hostname <name>', 'host name for the self-signed certificate', 'postern.localhost')
    .action((opts: { dataDir: string; demo?: boolean; hostname: string }) => {
      const { db, config } = createStore(opts.dataDir);
      loadOrCreateTls(resolve(opts.dataDir), opts.hostname);
      if (opts.demo && !config.organization('Contoso')) config.saveOrganization(demoOrganization());
      db.close();
      console.log(`Initialised ${resolve(opts.dataDir)}${opts.demo ? ' with the demo organization Contoso (contoso.com)' : ''}`);
    });
}
