// The Authentication-Results header this gateway writes (RFC 8601), and the ones it must not let
// through: a field that claims our own authserv-id but came from outside is a forged verdict
// (removed first, as the header firewall removes X-MS-Exchange-* from strangers). Pure.
import type { HeaderField } from '../message/facts.js';
import type { CompositeAuth } from './compauth.js';
import type { AuthVerdicts } from './verify.js';

export const AUTH_RESULTS = 'Authentication-Results';

/** Our Authentication-Results field: every method's clause, then compauth with its reason. */
export function authResultsField(hostname: string, v: AuthVerdicts, comp: CompositeAuth): HeaderField {
  const clauses = [...v.clauses];
  if (!v.dkim.length) clauses.unshift('dkim=none (message not signed)');
  if (!v.dmarc) clauses.push(`dmarc=${v.timedOut ? 'temperror' : 'none'} header.from=${v.fromDomain || '(none)'}`);
  clauses.push(`compauth=${comp.result} reason=${comp.reason}`);
  return { name: AUTH_RESULTS, value: [hostname, ...clauses].join(';\r\n ') };
}
