// Get-Command and Get-Help, from what the registry knows of each cmdlet.
import { ShellError } from '../errors.js';
import { cmdletSyntax, type CmdletDef } from '../registry.js';
import { stringType, switchType } from '../types.js';
import { FormattedText, tagged, wildcardToRegExp } from '../values.js';

// ------------------------------------------------------------------ Get-Command, Get-Help

export const getCommand: CmdletDef = {
  name: 'Get-Command',
  aliases: ['gcm'],
  synopsis: 'Lists the cmdlets (wildcards allowed): Get-Command *TransportRule*.',
  parameters: [
    { name: 'Name', type: stringType(), position: 1 },
    { name: 'Verb', type: stringType() },
    { name: 'Noun', type: stringType() },
    { name: 'Syntax', type: switchType() },
  ],
  run(ctx, params) {
    // Get-Command $null lists everything, as Get-Command alone does
    const match = (pattern: string | null | undefined, s: string) => pattern === undefined || pattern === null || wildcardToRegExp(pattern).test(s);
    const defs = ctx.registry.list().filter((d) => {
      const [verb, noun] = d.name.split('-');
      return (match(params.get<string>('Name'), d.name) || (d.aliases ?? []).some((a) => match(params.get<string>('Name'), a))) && match(params.get<string>('Verb'), verb) && match(params.get<string>('Noun'), noun ?? '');
    });
    if (typeof params.get('Name') === 'string' && defs.length === 0 && !/[*?]/.test(params.get<string>('Name') as string)) {
      throw new ShellError(`The term '${params.get<string>('Name')}' is not recognized as a name of a cmdlet.`, { errorId: 'CommandNotFoundException', category: 'ObjectNotFound', parameter: 'Name', command: 'Get-Command' });
    }
    if (params.get('Syntax') === true) return defs.flatMap((d) => cmdletSyntax(d));
    return defs.map((d) => tagged({ CommandType: 'Cmdlet', Name: d.name, Source: d.source ?? 'Microsoft.PowerShell.Utility' }, 'CmdletInfo'));
  },
};


export const getHelp: CmdletDef = {
  name: 'Get-Help',
  aliases: ['help'],
  synopsis: 'Shows a cmdlet\'s synopsis, syntax and parameters (-Parameter for one).',
  parameters: [
    { name: 'Name', type: stringType(), position: 1, mandatory: true },
    { name: 'Parameter', type: stringType() },
    { name: 'Full', type: switchType() },
    { name: 'Detailed', type: switchType() },
    { name: 'Examples', type: switchType(), ignored: true },
  ],
  run(ctx, params) {
    const name = params.get<string>('Name') as string;
    const def = ctx.registry.get(name);
    if (!def) throw new ShellError(`Get-Help could not find ${name} in a help file in this session.`, { errorId: 'HelpNotFound', category: 'ObjectNotFound', parameter: 'Name', command: 'Get-Help' });
    const paramFilter = params.get<string>('Parameter');
    const ps = def.parameters.filter((p) => !paramFilter || wildcardToRegExp(paramFilter).test(p.name));
    const lines: string[] = [];
    if (!paramFilter) {
      lines.push('', 'NAME', `    ${def.name}`, '', 'SYNOPSIS', `    ${def.synopsis}`, '', 'SYNTAX');
      for (const s of cmdletSyntax(def)) lines.push(`    ${s}`, '');
      lines.push('PARAMETERS');
    }
    for (const p of ps) {
      lines.push(`    -${p.name} <${p.type.typeName.split('.').pop()}>`);
      if (p.description) lines.push(`        ${p.description}`);
      if (p.type.values) lines.push(`        Valid values: ${p.type.values.join(', ')}`);
      if (p.ignored) lines.push('        Accepted for compatibility; Postern does not act on it.');
      lines.push(`        Required?                    ${p.mandatory === true ? 'true' : Array.isArray(p.mandatory) ? `true (parameter set ${p.mandatory.join(', ')})` : 'false'}`);
      lines.push(`        Position?                    ${p.position ?? 'named'}`);
      lines.push(`        Accept pipeline input?       ${p.valueFromPipeline ? 'True (ByValue)' : p.valueFromPipelineByPropertyName ? 'True (ByPropertyName)' : 'False'}`);
      lines.push('');
    }
    return new FormattedText(lines.join('\n') + '\n');
  },
};

