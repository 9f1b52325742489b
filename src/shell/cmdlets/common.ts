// Building blocks shared by the Exchange cmdlet declarations.
import type { OrganizationAdmin } from '../../admin/types.js';
import type { BoundParameters, CmdletDef, ParameterDef } from '../registry.js';
import {
  booleanType,
  identityType,
  multiValuedType,
  smtpAddressType,
  stringType,
  MultiValuedEdit,
  type ParamType,
} from '../types.js';
import { dotnetRegex, findProperty, tagged, toStr, wildcardToRegExp } from '../values.js';

/** A cmdlet that acts on one organization through the admin operations (src/admin/). */
export type ExchangeCmdlet = CmdletDef<OrganizationAdmin>;
import { ConversionFailure } from '../types.js';

/** `[-Identity] <XxxIdParameter>` at position 1, bound from the pipeline (objects or names). */
export function identityParam(typeName: string, options: { mandatory?: boolean; sets?: string[]; properties?: string[] } = {}): ParameterDef {
  return {
    name: 'Identity',
    type: identityType(typeName, options.properties),
    position: 1,
    mandatory: options.mandatory ?? false,
    sets: options.sets,
    valueFromPipeline: true,
    valueFromPipelineByPropertyName: true,
    description: 'Name or GUID of the object.',
  };
}

export const bool = booleanType;

export function str(maxLength?: number, typeName?: string): ParamType {
  return stringType({ maxLength, typeName });
}

/** A .NET-style regular expression, validated when bound. */
export function patternType(): ParamType {
  const base = stringType({ typeName: 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.Pattern' });
  return {
    ...base,
    convert(v) {
      const s = base.convert(v) as string;
      try {
        dotnetRegex(s);
      } catch (e) {
        throw new ConversionFailure('convert', `The pattern isn't a valid regular expression: ${(e as Error).message}`, s, base.typeName);
      }
      return s;
    },
  };
}

export function words(edit: boolean): ParamType {
  return multiValuedType(stringType({ typeName: 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.Word' }), { edit, typeName: 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.Word[]' });
}

export function patterns(edit: boolean): ParamType {
  return multiValuedType(patternType(), { edit, typeName: 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.Pattern[]' });
}

/** A RecipientIdParameter: an SMTP address (there is no directory to resolve names in). */
export function recipientId(): ParamType {
  return smtpAddressType({ recipient: true, typeName: 'Microsoft.Exchange.Configuration.Tasks.RecipientIdParameter' });
}

export function recipients(edit: boolean): ParamType {
  return multiValuedType(recipientId(), { edit, typeName: 'Microsoft.Exchange.Configuration.Tasks.RecipientIdParameter[]' });
}

export function addresses(edit: boolean, typeName = 'Microsoft.Exchange.Data.MultiValuedProperty'): ParamType {
  return multiValuedType(smtpAddressType(), { edit, typeName });
}

export function strings(edit: boolean, typeName = 'Microsoft.Exchange.Data.MultiValuedProperty'): ParamType {
  return multiValuedType(stringType(), { edit, typeName });
}

/** Applies any @{Add=...; Remove=...} values in `changes` to the current object's lists. */
export function resolveEdits(changes: Record<string, unknown>, current: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(changes)) {
    if (v instanceof MultiValuedEdit) {
      const cur = current?.[k];
      out[k] = v.apply(Array.isArray(cur) ? cur : cur === null || cur === undefined ? [] : [cur]);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Tags each object with its Exchange type name (for the default view) and returns them. */
export function tagAll<T extends object>(objects: T[], typeName: string): T[] {
  return objects.map((o) => tagged({ ...o }, typeName));
}

/** The first identity or a not-found error, as Exchange words it. */
export function pickParams(params: BoundParameters, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if (params.has(n)) out[n] = params.get(n);
  return out;
}

/** Exchange's warning when a Set-* cmdlet changes nothing. */
export function noChangesWarning(identity: string): string {
  return `The command completed successfully but no settings of '${identity}' have been modified.`;
}

/**
 * Get-* -Identity as Exchange reads it: `*` is a wildcard (`Get-TransportRule *`,
 * `"SpamExperts*"`, `"*Disclaimer*"`) matching the listed properties of every object, and a
 * wildcard that matches nothing is no error; any other identity is looked up as given.
 */
export async function getByIdentity<T extends object>(identity: string | null | undefined, fetch: (identity?: string) => Promise<T[]>, properties: readonly string[] = ['Identity', 'Name']): Promise<T[]> {
  if (!identity || !identity.includes('*')) return fetch(identity ?? undefined);
  const pattern = wildcardToRegExp(identity.replace(/[?[`]/g, '`$&')); // only * is a wildcard in an Exchange identity
  return (await fetch()).filter((o) => properties.some((p) => pattern.test(toStr(findProperty(o, p)?.[1]))));
}
