// The organization's decision on authentication verdicts (pure): composite authentication and
// its reasons, HonorDmarcPolicy and its actions, implicit spoof protection, trusted paths.
import { describe, expect, it } from 'vitest';
import { AntiPhishPolicy, ArcConfig } from '../config/antiPhish.js';
import { authResultsField } from './authResults.js';
import { authservIdOf } from '../message/headerEdits.js';
import { decideAuthentication, type AuthPolicyInput } from './policy.js';
import type { AuthVerdicts } from './verify.js';

function verdicts(over: Partial<AuthVerdicts> = {}, dmarc?: Partial<NonNullable<AuthVerdicts['dmarc']>> | null): AuthVerdicts {
  return {
    spf: { result: 'fail', domain: 'contoso.com', mailFrom: 'ceo@contoso.com', helo: 'x' },
    dkim: [],
    arc: { result: 'none', instance: 0, sealer: '', sealedDmarc: '' },
    dmarc: dmarc === null ? undefined : { result: 'fail', policy: 'none', fromDomain: 'contoso.com', orgDomain: 'contoso.com', policyDomain: 'contoso.com', spfAligned: false, dkimAligned: false, ...dmarc },
    fromDomain: 'contoso.com',
    clauses: [],
    timedOut: false,
    ...over,
  };
}
const input = (v: AuthVerdicts, over: Partial<AuthPolicyInput> = {}): AuthPolicyInput => ({
  verdicts: v,
  acceptedDomains: ['contoso.com'],
  antiPhish: AntiPhishPolicy.parse({}),
  arc: ArcConfig.parse({}),
  connectorType: '',
  ...over,
});

describe('decideAuthentication', () => {
  it('quarantines a forged accepted domain through no connector as Spoof intra-org (compauth=fail reason=601)', () => {
    const d = decideAuthentication(input(verdicts()));
    expect(d.compauth).toEqual({ result: 'fail', reason: '601' });
    expect(d.action).toBe('quarantine');
    expect(JSON.parse(d.fields.DetectionMethods)).toEqual({ Phish: ['Spoof intra-org'] });
    expect(d.fields.AuthenticationDetails).toBe('{"SPF":"fail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}');
  });

  it('leaves the same message alone through a Partner connector, and an OnPremises connector bypasses composite authentication', () => {
    expect(decideAuthentication(input(verdicts(), { connectorType: 'Partner' })).action).toBe('none');
    const onPrem = decideAuthentication(input(verdicts({}, { policy: 'reject' }), { connectorType: 'OnPremises' }));
    expect(onPrem).toMatchObject({ action: 'none', compauth: { result: 'none', reason: '405' } });
  });

  it('honours p=reject (550 5.7.509) and p=quarantine, unless HonorDmarcPolicy is off; DmarcRejectAction Quarantine holds instead', () => {
    const reject = verdicts({ fromDomain: 'fabrikam.com' }, { policy: 'reject', fromDomain: 'fabrikam.com' });
    expect(decideAuthentication(input(reject))).toMatchObject({ action: 'reject', compauth: { reason: '000' }, reply: { code: 550, text: expect.stringMatching(/^5\.7\.509 /) } });
    expect(decideAuthentication(input(reject, { antiPhish: AntiPhishPolicy.parse({ DmarcRejectAction: 'Quarantine' }) })).action).toBe('quarantine');
    expect(decideAuthentication(input(reject, { antiPhish: AntiPhishPolicy.parse({ HonorDmarcPolicy: false }) })).action).toBe('none');
    const quarantine = verdicts({ fromDomain: 'fabrikam.com' }, { policy: 'quarantine', fromDomain: 'fabrikam.com' });
    expect(decideAuthentication(input(quarantine)).action).toBe('quarantine');
    expect(decideAuthentication(input(quarantine, { antiPhish: AntiPhishPolicy.parse({ DmarcQuarantineAction: 'MoveToJmf' }) }))).toMatchObject({ action: 'junk', fields: { DeliveryLocation: 'Junk folder' } });
  });

  it('lets a trusted ARC sealer carry a DMARC pass it recorded (reason 130); an untrusted one does not', () => {
    const forwarded = verdicts({ fromDomain: 'fabrikam.com', arc: { result: 'pass', instance: 1, sealer: 'lists.example', sealedDmarc: 'pass' } }, { policy: 'reject', fromDomain: 'fabrikam.com' });
    expect(decideAuthentication(input(forwarded, { arc: ArcConfig.parse({ ArcTrustedSealers: ['Lists.Example'] }) }))).toMatchObject({ action: 'none', compauth: { result: 'pass', reason: '130' } });
    expect(decideAuthentication(input(forwarded)).action).toBe('reject');
  });

  it('treats a DNS failure as temperror, never as a failure to act on', () => {
    const d = decideAuthentication(input(verdicts({ spf: { result: 'temperror', domain: 'contoso.com', mailFrom: 'ceo@contoso.com', helo: 'x' } }, { result: 'temperror' })));
    expect(d).toMatchObject({ action: 'none', compauth: { result: 'none' } });
    expect(JSON.parse(d.fields.AuthenticationDetails)).toMatchObject({ SPF: 'temperror', DMARC: 'temperror' });
  });

  it('soft-passes implicit authentication when SPF or DKIM passed without a DMARC record', () => {
    const d = decideAuthentication(input(verdicts({ fromDomain: 'fabrikam.com', spf: { result: 'pass', domain: 'fabrikam.com', mailFrom: 'a@fabrikam.com', helo: 'x' } }, null)));
    expect(d.compauth).toEqual({ result: 'softpass', reason: '201' });
    expect(JSON.parse(d.fields.AuthenticationDetails)).toEqual({ SPF: 'pass', DKIM: 'none', DMARC: 'none', CompAuth: 'softpass' });
  });
});

describe('Authentication-Results', () => {
  it('names the authserv-id first, with any version and comments around it', () => {
    expect(authservIdOf(' Postern.Localhost; spf=pass')).toBe('postern.localhost');
    expect(authservIdOf('(comment) mx.example 1; none')).toBe('mx.example');
    expect(authservIdOf('mx.example;\r\n dkim=pass')).toBe('mx.example');
  });

  it('ends with compauth and its reason', () => {
    const f = authResultsField('mx.contoso.com', verdicts({ clauses: ['spf=fail smtp.mailfrom=ceo@contoso.com'] }), { result: 'fail', reason: '601' });
    expect(f.name).toBe('Authentication-Results');
    expect(f.value).toBe('mx.contoso.com;\r\n dkim=none (message not signed);\r\n spf=fail smtp.mailfrom=ceo@contoso.com;\r\n compauth=fail reason=601');
  });
});
