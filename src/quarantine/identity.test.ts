import { describe, expect, it } from 'vitest';
import { parseQuarantineIdentity } from './identity.js';

const A = '0f8fad5b-d9cb-469f-a165-70867728950e';
const B = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('quarantine identities (GUID1\\GUID2)', () => {
  it('parses an entry identity and a bare message GUID, case-insensitively', () => {
    expect(parseQuarantineIdentity(` ${A.toUpperCase()}\\${B} `)).toEqual({ kind: 'entry', identity: `${A}\\${B}`, message: A });
    expect(parseQuarantineIdentity(A)).toEqual({ kind: 'message', message: A });
  });
  it('refuses anything else (no wildcards, no SQL)', () => {
    for (const bad of ['', '*', `${A}\\*`, `${A}/${B}`, `${A}\\${B}' OR 1=1`, 'Contoso']) expect(parseQuarantineIdentity(bad)).toBeUndefined();
  });
});
