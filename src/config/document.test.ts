import { describe, expect, it } from 'vitest';
import { parseConfig, serializeConfig } from './document.js';
import { problemsOf as configProblems } from './testing.js';
import { ConfigFileError } from './yamlFile.js';

const valid = `organizations:
  - Name: Contoso
    Guid: 7b0f8d5e-6a43-4c1f-9a0e-1f1a2b3c4d5e
    AcceptedDomains:
      - DomainName: Contoso.COM
    Delivery:
      kind: maildir
      path: maildir
`;

describe('configuration document', () => {
  it('round-trips through serialize and parse, normalising as it goes', () => {
    const doc = parseConfig(valid);
    expect(doc.organizations[0].AcceptedDomains[0]).toEqual({ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: false });
    expect(parseConfig(serializeConfig(doc))).toEqual(doc);
  });

  it('points at the line of a wrong value', () => {
    const bad = valid.replace('kind: maildir', 'kind: carrier-pigeon');
    const err = (() => {
      try {
        parseConfig(bad, 'orgs.yaml');
      } catch (e) {
        return e as ConfigFileError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err!.problems.join('\n')).toMatch(/^orgs\.yaml:7:\d+: organizations\.0\.Delivery/m);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseConfig('organizations:\n  - Name: [unclosed\n', 'x.yaml')).toThrow(/x\.yaml:\d+:\d+/);
  });

  it('refuses a missing required field, naming it', () => {
    expect(() => parseConfig(valid.replace(/ {4}Guid: .*\n/, ''), 'o.yaml')).toThrow(/organizations\.0\.Guid/);
  });
});

describe('configuration keys (PowerShell rule: case-insensitive, unknown ones refused)', () => {
  const everyLevel = `organizations:
  - name: Contoso
    GUID: 7b0f8d5e-6a43-4c1f-9a0e-1f1a2b3c4d5e
    acceptedDomains:
      - domainname: contoso.com
        DOMAINTYPE: InternalRelay
    delivery:
      Kind: smtp
      Host: mx.contoso.com
      StartTls: required
    domainDelivery:
      fabrikam.com:
        KIND: maildir
        PATH: fab
    config:
      RejectDirectsend: true
    inboundConnectors:
      - name: Partner
        senderDomains: fabrikam.com
        senderIpAddresses: 192.0.2.0/24
        RestrictDomainsToIpAddresses: true
    transportRules:
      - name: Block
        guid: 0b0f8d5e-6a43-4c1f-9a0e-1f1a2b3c4d5e
        priority: 0
        subjectContainsWords: [invoice]
        exceptIfSenderIPRanges: [198.51.100.0/24]
        rejectMessageReasonText: no
`;

  it('takes keys in any casing at every level and keeps the schema casing', () => {
    const org = parseConfig(everyLevel).organizations[0];
    expect(org.Name).toBe('Contoso');
    expect(org.AcceptedDomains[0].DomainType).toBe('InternalRelay');
    expect(org.Delivery).toMatchObject({ kind: 'smtp', host: 'mx.contoso.com', starttls: 'required' });
    expect(org.DomainDelivery['fabrikam.com']).toEqual({ kind: 'maildir', path: 'fab' });
    expect(org.Config.RejectDirectSend).toBe(true);
    expect(org.InboundConnectors[0]).toMatchObject({ RestrictDomainsToIPAddresses: true, SenderIPAddresses: ['192.0.2.0/24'] });
    expect(org.TransportRules[0]).toMatchObject({ SubjectContainsWords: ['invoice'], ExceptIfSenderIpRanges: ['198.51.100.0/24'], RejectMessageReasonText: 'no' });
    expect(serializeConfig({ organizations: [org] })).toContain('RestrictDomainsToIPAddresses: true');
  });

  const problemsOf = (text: string): string[] => configProblems(() => parseConfig(text, 'orgs.yaml'));

  it('refuses a misspelled key at its line and column, suggesting the valid name', () => {
    expect(problemsOf(everyLevel.replace('RejectDirectsend', 'RejectDirectSnd'))).toEqual([
      'orgs.yaml:16:7: organizations.0.config: unknown key \'RejectDirectSnd\'; did you mean RejectDirectSend?',
    ]);
    expect(problemsOf(everyLevel.replace('RestrictDomainsToIpAddresses', 'RestrictDomainToIPAddresses'))).toEqual([
      'orgs.yaml:21:9: organizations.0.inboundConnectors.0: unknown key \'RestrictDomainToIPAddresses\'; did you mean RestrictDomainsToIPAddresses?',
    ]);
  });

  it('refuses misspelled keys in every part of the document, each reported', () => {
    const text = everyLevel
      .replace('DOMAINTYPE', 'DomainTyp')
      .replace('StartTls', 'StartTsl')
      .replace('PATH:', 'Pth:')
      .replace('subjectContainsWords', 'SubjectContainWords')
      .replace('rejectMessageReasonText', 'RejectMesageReasonText');
    const problems = problemsOf(text).join('\n');
    expect(problems).toMatch(/orgs\.yaml:6:9: .*'DomainTyp'; did you mean DomainType\?/);
    expect(problems).toMatch(/orgs\.yaml:10:7: .*'StartTsl'; did you mean starttls\?/);
    expect(problems).toMatch(/orgs\.yaml:14:9: .*'Pth'; did you mean path\?/);
    expect(problems).toMatch(/orgs\.yaml:26:9: .*'SubjectContainWords'; did you mean SubjectContainsWords\?/);
    expect(problems).toMatch(/orgs\.yaml:28:9: .*'RejectMesageReasonText'; did you mean RejectMessageReasonText\?/);
  });

  it('refuses the same key twice in different casings', () => {
    expect(problemsOf(everyLevel.replace('      RejectDirectsend: true\n', '      RejectDirectsend: true\n      REJECTDIRECTSEND: false\n'))).toEqual([
      "orgs.yaml:17:7: organizations.0.config: 'REJECTDIRECTSEND' repeats 'RejectDirectsend' (keys are case-insensitive); keep one of them",
    ]);
  });
});
