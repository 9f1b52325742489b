import { describe, expect, it } from 'vitest';
import { applyEdits, authservIdOf, isRemoved, NO_EDITS } from './headerEdits.js';

const header = Buffer.from('Received: from a\r\nSubject: Hi\r\n there\r\nAuthentication-Results: mx.contoso.com; spf=pass\r\nX-MS-Exchange-Organization-AuthAs: Internal\r\nX-Keep: 1\r\n');

describe('applyEdits', () => {
  it('leaves the header byte for byte when there is nothing to do', () => {
    expect(applyEdits(header, NO_EDITS)).toEqual(header);
  });
  it('prepends, removes, sets, prefixes the subject and drops forged verdicts in one pass', () => {
    const out = applyEdits(header, {
      prepend: [{ name: 'Received', value: 'by postern' }],
      remove: ['X-MS-Exchange-Organization-*'],
      set: [{ name: 'X-Keep', value: '2' }],
      subjectPrefix: '[External] ',
      removeAuthResultsOf: 'MX.contoso.com',
    });
    expect(out.toString()).toBe('Received: by postern\r\nReceived: from a\r\nSubject: [External] Hi\r\n there\r\nX-Keep: 2\r\n');
  });
});

describe('header names and verdicts', () => {
  it('matches removal patterns case-insensitively, with a trailing * as a prefix', () => {
    expect(isRemoved('x-ms-exchange-organization-scl', ['X-MS-Exchange-Organization-*'])).toBe(true);
    expect(isRemoved('X-MS-Exchange-Organization', ['X-MS-Exchange-Organization-*'])).toBe(false);
    expect(isRemoved('Subject', ['subject'])).toBe(true);
  });
  it('reads the authserv-id of an Authentication-Results value', () => {
    expect(authservIdOf('(comment) "MX.Example" 1; none')).toBe('mx.example');
  });
});
