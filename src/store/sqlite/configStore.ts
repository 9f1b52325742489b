// Configuration on SQLite: organizations as validated JSON documents plus an accepted-domain
// index that enforces "a domain belongs to one organization".
import { Organization } from '../../config/model.js';
import type { ConfigStore } from '../ports.js';
import type { Db } from './db.js';

export class SqliteConfigStore implements ConfigStore {
  private readonly version;

  constructor(private readonly db: Db) {
    this.version = db.prepare("SELECT value FROM meta WHERE key = 'config_version'").pluck();
  }

  organizations(): Organization[] {
    const docs = this.db.prepare('SELECT doc FROM organizations ORDER BY name').pluck().all() as string[];
    return docs.map((d) => Organization.parse(JSON.parse(d)));
  }

  organization(nameOrGuid: string): Organization | undefined {
    const doc = this.db
      .prepare('SELECT doc FROM organizations WHERE guid = ? OR name = ? COLLATE NOCASE')
      .pluck()
      .get(nameOrGuid, nameOrGuid) as string | undefined;
    return doc ? Organization.parse(JSON.parse(doc)) : undefined;
  }

  saveOrganization(input: Organization): void {
    const org = Organization.parse(input);
    this.db.transaction(() => {
      const clash = this.db
        .prepare('SELECT name FROM organizations WHERE name = ? COLLATE NOCASE AND guid <> ?')
        .pluck()
        .get(org.Name, org.Guid);
      if (clash) throw new Error(`An organization named '${org.Name}' already exists.`);
      this.db
        .prepare('INSERT INTO organizations (guid, name, doc) VALUES (?, ?, ?) ON CONFLICT (guid) DO UPDATE SET name = excluded.name, doc = excluded.doc')
        .run(org.Guid, org.Name, JSON.stringify(org));
      this.db.prepare('DELETE FROM accepted_domains WHERE org_guid = ?').run(org.Guid);
      const insert = this.db.prepare('INSERT INTO accepted_domains (domain, org_guid) VALUES (?, ?)');
      for (const d of org.AcceptedDomains) {
        const owner = this.db.prepare('SELECT org_guid FROM accepted_domains WHERE domain = ?').pluck().get(d.DomainName);
        if (owner) throw new Error(`The domain '${d.DomainName}' is already an accepted domain of another organization.`);
        insert.run(d.DomainName, org.Guid);
      }
      this.bump();
    })();
  }

  removeOrganization(guid: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM organizations WHERE guid = ?').run(guid);
      this.bump();
    })();
  }

  configVersion(): number {
    return Number(this.version.get()); // polled twice a second by every server
  }

  private bump(): void {
    this.db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'config_version'").run();
  }
}
