// One ConfigStore behaviour, every engine: the same tests run on SQLite
// (store/sqlite/configStore.test.ts) and PostgreSQL (store/postgres/configStore.test.ts), so the
// rules an admin relies on (a domain and its subdomains in one tenant, unique names, removal takes
// the domains along, every change bumps the version) cannot drift between them.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZodError, type z } from 'zod';
import { Organization } from '../config/model.js';
import { DomainInUseError, OrganizationNameInUseError, type AsyncConfigStore } from '../store/ports.js';

export interface OpenedConfigStore {
  /** A store with no organizations in it. */
  store: AsyncConfigStore;
  close(): Promise<void>;
}

/** An organization as an admin would write it: only what it must say, the rest left to the defaults. */
function org(name: string, ...domains: string[]): Organization {
  return {
    Name: name,
    Guid: randomUUID(),
    AcceptedDomains: domains.map((DomainName, i) => ({ DomainName, Default: i === 0 })),
    Delivery: { kind: 'maildir', path: 'maildir' },
  } as Organization;
}

export function describeConfigStore(engine: string, open: () => Promise<OpenedConfigStore>): void {
  describe(`the configuration store on ${engine}`, () => {
    let opened: OpenedConfigStore;
    let store: AsyncConfigStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.close());

    async function refusal(p: Promise<unknown>): Promise<Error> {
      try {
        await p;
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected the store to refuse');
    }

    it('gives back what was saved, validated, by name (any case) or GUID', async () => {
      const contoso: z.input<typeof Organization> = {
        ...org('Contoso Ltd', 'Contoso.COM', 'mail.contoso.com'),
        InboundConnectors: [{ Name: 'Partner by IP', ConnectorType: 'Partner', SenderDomains: ['partner.example'], SenderIPAddresses: ['198.51.100.7'], RestrictDomainsToIPAddresses: true }],
        TransportRules: [{ Name: 'Hold invoices', Guid: randomUUID(), Priority: 0, SubjectContainsWords: ['invoice'], Quarantine: true, ActivationDate: new Date('2026-06-01T08:00:00Z') }],
        DomainDelivery: { 'mail.contoso.com': { kind: 'smtp', host: 'mx.contoso.example', port: 2525 } },
      };
      await store.saveOrganizationAsync(contoso as Organization);

      const saved = store.organization('Contoso Ltd')!;
      // Defaults filled in and domains lower-cased, as the schema says; a rule's date stays a date.
      expect(saved.AcceptedDomains.map((d) => [d.DomainName, d.DomainType, d.Default])).toEqual([['contoso.com', 'Authoritative', true], ['mail.contoso.com', 'Authoritative', false]]);
      expect(saved.Config).toEqual({ RejectDirectSend: false });
      expect(saved.InboundConnectors[0]).toMatchObject({ Name: 'Partner by IP', SenderIPAddresses: ['198.51.100.7'], RequireTls: true });
      expect(saved.TransportRules[0]).toMatchObject({ Name: 'Hold invoices', Mode: 'Enforce', Quarantine: true });
      expect(saved.TransportRules[0].ActivationDate).toEqual(new Date('2026-06-01T08:00:00Z'));
      expect(saved.DomainDelivery['mail.contoso.com']).toEqual({ kind: 'smtp', host: 'mx.contoso.example', port: 2525, starttls: 'opportunistic', verifyCertificate: false });
      expect(store.organization('CONTOSO LTD')).toEqual(saved);
      expect(store.organization(contoso.Guid)).toEqual(saved);
      expect(store.organization('Fabrikam')).toBeUndefined();
    });

    it('lists every organization ordered by name whatever its case', async () => {
      for (const name of ['fabrikam', 'Contoso', 'adatum', 'Woodgrove']) await store.saveOrganizationAsync(org(name));
      expect(store.organizations().map((o) => o.Name)).toEqual(['adatum', 'Contoso', 'fabrikam', 'Woodgrove']);
    });

    it('keeps its copy when a caller edits what it read without saving', async () => {
      await store.saveOrganizationAsync(org('Contoso', 'contoso.com'));
      const read = store.organization('Contoso')!;
      read.Config.RejectDirectSend = true;
      read.AcceptedDomains.push({ DomainName: 'other.example', DomainType: 'Authoritative', Default: false });
      store.organizations()[0].Name = 'Changed';
      expect(store.organization('Contoso')!.Config.RejectDirectSend).toBe(false);
      expect(store.organizations().map((o) => [o.Name, o.AcceptedDomains.length])).toEqual([['Contoso', 1]]);
    });

    it('replaces an organization saved again under its GUID, renamed and with other domains', async () => {
      const contoso = org('Contoso', 'contoso.com');
      await store.saveOrganizationAsync(contoso);
      await store.saveOrganizationAsync({ ...contoso, Name: 'Contoso Group', AcceptedDomains: [{ DomainName: 'contoso.net', DomainType: 'Authoritative', Default: true }] });
      expect(store.organizations().map((o) => [o.Name, o.AcceptedDomains.map((d) => d.DomainName)])).toEqual([['Contoso Group', ['contoso.net']]]);
      // contoso.com was given up, so another organization may take it.
      await store.saveOrganizationAsync(org('Fabrikam', 'contoso.com'));
      expect(store.organization('Fabrikam')!.AcceptedDomains[0].DomainName).toBe('contoso.com');
    });

    it('refuses a second organization with the same name, whatever its case', async () => {
      await store.saveOrganizationAsync(org('Contoso', 'contoso.com'));
      const e = await refusal(store.saveOrganizationAsync(org('CONTOSO', 'contoso.net')));
      expect(e).toBeInstanceOf(OrganizationNameInUseError);
      expect(e.message).toBe("An organization named 'CONTOSO' already exists.");
      expect(store.organizations()).toHaveLength(1);
    });

    it('refuses an invalid organization and keeps nothing of it', async () => {
      const before = store.configVersion();
      const e = await refusal(store.saveOrganizationAsync({ ...org('Contoso'), Guid: 'not-a-guid' }));
      expect(e).toBeInstanceOf(ZodError);
      expect(store.organizations()).toEqual([]);
      expect(store.configVersion()).toBe(before);
    });

    it.each([
      ['the same domain', 'contoso.com', 'contoso.com', "The domain 'contoso.com' can't be added: it is already in use in another tenant."],
      ['its parent', 'sales.contoso.com', 'contoso.com', "The domain 'sales.contoso.com' can't be added: its parent domain 'contoso.com' is already in use in another tenant."],
      ['its subdomain', 'contoso.com', 'sales.contoso.com', "The domain 'contoso.com' can't be added: its subdomain 'sales.contoso.com' is already in use in another tenant."],
    ])('refuses a domain when another organization holds %s, and keeps nothing of the refused save', async (_what, wanted, held, message) => {
      await store.saveOrganizationAsync(org('Contoso', held));
      const version = store.configVersion();
      const e = await refusal(store.saveOrganizationAsync(org('Fabrikam', 'fabrikam.com', wanted.toUpperCase())));
      expect(e).toBeInstanceOf(DomainInUseError);
      expect(e).toMatchObject({ domain: wanted, heldDomain: held });
      expect(e.message).toBe(`${message} A domain and its subdomains can belong to one organization only.`);
      // Not even the domain that was free: the save is all or nothing.
      expect(store.organization('Fabrikam')).toBeUndefined();
      expect(store.configVersion()).toBe(version);
      await store.saveOrganizationAsync(org('Fabrikam', 'fabrikam.com'));
    });

    it('lets one organization hold a domain and its subdomains, and tells a subdomain from a look-alike', async () => {
      await store.saveOrganizationAsync(org('Contoso', 'contoso.com', 'sales.contoso.com', 'eu.sales.contoso.com'));
      // notcontoso.com ends with the same letters but is no subdomain of contoso.com.
      await store.saveOrganizationAsync(org('Fabrikam', 'notcontoso.com', 'contoso.community'));
      expect(store.organizations().map((o) => o.AcceptedDomains.length)).toEqual([3, 2]);
    });

    it('removes an organization with its accepted domains', async () => {
      const contoso = org('Contoso', 'contoso.com', 'sales.contoso.com');
      await store.saveOrganizationAsync(contoso);
      await store.saveOrganizationAsync(org('Fabrikam', 'fabrikam.com'));
      await store.removeOrganizationAsync(contoso.Guid);
      expect(store.organization('Contoso')).toBeUndefined();
      expect(store.organization(contoso.Guid)).toBeUndefined();
      expect(store.organizations().map((o) => o.Name)).toEqual(['Fabrikam']);
      // Its domains are free again.
      await store.saveOrganizationAsync(org('Adatum', 'contoso.com', 'sales.contoso.com'));
      expect(store.organization('Adatum')!.AcceptedDomains).toHaveLength(2);
    });

    it('replaces the whole configuration at once, or changes nothing when one organization is refused', async () => {
      const contoso = org('Contoso', 'contoso.com');
      const fabrikam = org('Fabrikam', 'fabrikam.com');
      await store.saveOrganizationAsync(contoso);
      await store.saveOrganizationAsync(fabrikam);
      const adatum = org('Adatum', 'adatum.com');
      await store.replaceOrganizationsAsync([{ ...contoso, Config: { RejectDirectSend: true } }, adatum]);
      expect(store.organizations().map((o) => [o.Name, o.Config.RejectDirectSend])).toEqual([['Adatum', false], ['Contoso', true]]);
      // Fabrikam's domain was freed with it.
      const version = store.configVersion();
      // Adatum removed and Woodgrove saved before Northwind is refused: all of it is undone.
      const e = await refusal(store.replaceOrganizationsAsync([contoso, org('Woodgrove', 'fabrikam.com'), org('Northwind', 'sales.contoso.com')]));
      expect(e).toBeInstanceOf(DomainInUseError);
      expect(store.organizations().map((o) => o.Name)).toEqual(['Adatum', 'Contoso']);
      expect(store.configVersion()).toBe(version);
    });

    it('bumps the configuration version with every change, and only with a change', async () => {
      const versions = [store.configVersion()];
      const contoso = org('Contoso', 'contoso.com');
      await store.saveOrganizationAsync(contoso);
      versions.push(store.configVersion());
      await store.saveOrganizationAsync({ ...contoso, Config: { RejectDirectSend: true } });
      versions.push(store.configVersion());
      await refusal(store.saveOrganizationAsync(org('Fabrikam', 'contoso.com')));
      await refusal(store.saveOrganizationAsync(org('contoso')));
      versions.push(store.configVersion());
      await store.removeOrganizationAsync(contoso.Guid);
      versions.push(store.configVersion());
      expect(versions.slice(1).map((v, i) => v - versions[i])).toEqual([1, 1, 0, 1]);
    });
  });
}
