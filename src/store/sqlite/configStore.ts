// Configuration on SQLite: organizations as validated JSON documents plus an accepted-domain
// index that enforces "a domain belongs to one organization".
import { Organization } from '../../config/model.js';
import { DomainInUseError, OrganizationNameInUseError, type AsyncConfigStore, type ConfigStore } from '../ports.js';
import type { Db } from './db.js';

export class SqliteConfigStore implements ConfigStore, AsyncConfigStore {
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
      if (clash) throw new OrganizationNameInUseError(org.Name);
      this.db
        .prepare('INSERT INTO organizations (guid, name, doc) VALUES (?, ?, ?) ON CONFLICT (guid) DO UPDATE SET name = excluded.name, doc = excluded.doc')
        .run(org.Guid, org.Name, JSON.stringify(org));
      this.db.prepare('DELETE FROM accepted_domains WHERE org_guid = ?').run(org.Guid);
      const insert = this.db.prepare('INSERT INTO accepted_domains (domain, org_guid) VALUES (?, ?)');
      const heldElsewhere = this.db.prepare(
        // the domain itself, a parent of it, or a subdomain of it, held by another organization
        `SELECT domain FROM accepted_domains WHERE org_guid <> @org
           AND (domain = @domain OR substr(@domain, -length(domain) - 1) = '.' || domain OR substr(domain, -length(@domain) - 1) = '.' || @domain)
         LIMIT 1`,
      ).pluck();
      for (const d of org.AcceptedDomains) {
        const held = heldElsewhere.get({ org: org.Guid, domain: d.DomainName }) as string | undefined;
        if (held !== undefined) throw new DomainInUseError(d.DomainName, held);
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

  async saveOrganizationAsync(org: Organization): Promise<void> {
    this.saveOrganization(org);
  }

  async removeOrganizationAsync(guid: string): Promise<void> {
    this.removeOrganization(guid);
  }

  async replaceOrganizationsAsync(orgs: Organization[]): Promise<void> {
    // The saves' own transactions nest inside this one (savepoints): a refusal rolls back it all.
    this.db.transaction(() => {
      const keep = new Set(orgs.map((o) => o.Guid));
      for (const o of this.organizations()) if (!keep.has(o.Guid)) this.removeOrganization(o.Guid);
      for (const o of orgs) this.saveOrganization(o);
    })();
  }

  configVersion(): number {
    return Number(this.version.get()); // polled twice a second by every server
  }

  private bump(): void {
    this.db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'config_version'").run();
  }
}
