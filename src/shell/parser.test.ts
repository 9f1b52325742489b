// Tokenizer and parser facts (reference §10): Unicode dashes and quotes, escapes, comments,
// continuation, numbers, arrays, hashtables, and parse errors with line:column.
import { describe, expect, it } from 'vitest';
import type { CommandCall, Expr } from './ast.js';
import { ShellParseError } from './errors.js';
import { isIncompleteInput } from './complete.js';
import { parseNumberLiteral, parseScript } from './parser.js';

function command(text: string): CommandCall {
  const s = parseScript(text).statements[0];
  if (s.kind !== 'pipeline' || s.elements[0].kind !== 'command') throw new Error('not a command');
  return s.elements[0];
}

/** [parameter names] and argument values of a command, for compact assertions. */
function shape(text: string): (string | unknown)[] {
  return command(text).elements.map((e) => (e.kind === 'parameter' ? `-${e.name}${e.colon ? ':' : ''}` : e.kind === 'argument' ? lit(e.value) : `@${e.variable}`));
}

function lit(e: Expr): unknown {
  switch (e.kind) {
    case 'string': return e.value;
    case 'number': return e.value;
    case 'variable': return `$${e.name}`;
    case 'arrayLiteral': return e.items.map(lit);
    default: return e.kind;
  }
}

function parseError(text: string): ShellParseError {
  try {
    parseScript(text);
  } catch (e) {
    if (e instanceof ShellParseError) return e;
    throw e;
  }
  throw new Error('no parse error');
}

describe('dashes', () => {
  it.each([['-'], ['\u2013'], ['\u2014'], ['\u2015']])('%s starts a parameter', (d) => {
    expect(shape(`Get-X ${d}Name a`)).toEqual(['-Name', 'a']);
  });

  it('a dash before a digit is a negative number argument, also the en dash', () => {
    expect(shape('Set-X -SetSCL -1')).toEqual(['-SetSCL', -1]);
    expect(shape('Set-X -SetSCL \u20131')).toEqual(['-SetSCL', -1]);
  });

  it('normalises dashes in command names', () => {
    expect(command('Get\u2013TransportRule').name).toBe('Get-TransportRule');
  });
});

describe('quotes', () => {
  it.each([
    ["'a b'", 'a b'],
    ['\u2018a b\u2019', 'a b'],
    ["\u2018a b'", 'a b'],
    ['\u201Aa b\u201B', 'a b'],
    ['"a b"', 'a b'],
    ['\u201Ca b\u201D', 'a b'],
    ['\u201Ea b"', 'a b'],
    ["'What''s'", "What's"],
    ['\u2018What\u2019\u2019s\u2019', 'What\u2019s'],
    ['"say ""hi"""', 'say "hi"'],
    ['"tab`there"', 'tab\there'],
    ['"a`"b"', 'a"b'],
    ["'no `n escape'", 'no `n escape'],
    ["'$notexpanded'", '$notexpanded'],
  ])('%s', (src, value) => {
    expect(shape(`Get-X ${src}`)).toEqual([value]);
  });

  it('a double quote does not close a single-quoted string', () => {
    expect(shape(`Get-X 'a"b'`)).toEqual(['a"b']);
  });

  it('double-quoted strings with $var or $(...) are expandable', () => {
    const e = command('Get-X "n=$n, p=$($r.Priority)"').elements[0];
    expect(e.kind === 'argument' && e.value.kind).toBe('expandable');
  });

  it('reports an unterminated string with its position and as incomplete', () => {
    const err = parseError("Get-X -Name 'abc");
    expect(err.message).toBe("The string is missing the terminator: '.");
    expect(err.position).toMatchObject({ line: 1, column: 13 });
    expect(err.incomplete).toBe(true);
  });
});

describe('arguments', () => {
  it('bare words, addresses, dates and IPs are strings', () => {
    expect(shape('Get-X admin@contoso.com 11/01/2026 10.0.0.0/24 *.contoso.com')).toEqual(['admin@contoso.com', '11/01/2026', '10.0.0.0/24', '*.contoso.com']);
  });

  it('numbers take kb/mb/gb/tb/pb multipliers, hex and exponents', () => {
    expect(shape('Get-X 10 10kb 10MB 1.5gb 0x1F 1e3')).toEqual([10, 10240, 10485760, 1.5 * 1024 ** 3, 31, 1000]);
    expect(parseNumberLiteral('1pb')).toBe(1024 ** 5);
    expect(parseNumberLiteral('10 MB')).toBeUndefined();
  });

  it('comma makes arrays, with a newline allowed after the comma', () => {
    expect(shape('Get-X a,b, c')).toEqual([['a', 'b', 'c']]);
    expect(shape('Get-X a,\n  b')).toEqual([['a', 'b']]);
  });

  it('-Param:value attaches the value; -Switch:$false too', () => {
    expect(shape('Get-X -Enabled:$false -Name:"x" -Force')).toEqual(['-Enabled:', '-Name:', '-Force']);
    const el = command('Get-X -Enabled:$false').elements[0];
    expect(el.kind === 'parameter' && el.colonValue && lit(el.colonValue)).toBe('$false');
  });

  it('@name is splatting; @() and @{} are expressions', () => {
    expect(shape('New-X @p')).toEqual(['@p']);
    expect(shape('New-X @() @{a=1}')).toEqual(['arrayExpr', 'hashtable']);
  });

  it('hashtables take bare keys, ; or newlines between entries, arrays as values', () => {
    const el = command('Set-X -L @{Add="a","b"; Remove=\'c\'\n Other = 1}').elements[1];
    if (el.kind !== 'argument' || el.value.kind !== 'hashtable') throw new Error('no hashtable');
    expect(el.value.entries.map((e) => lit(e.key))).toEqual(['Add', 'Remove', 'Other']);
  });
});

describe('comments, continuation and statements', () => {
  it('# starts a comment only at a token start', () => {
    expect(shape('Get-X hello#there # comment')).toEqual(['hello#there']);
  });

  it('<# #> block comments', () => {
    expect(shape('Get-X <# a\nb #> -Name a')).toEqual(['-Name', 'a']);
  });

  it('backtick-newline continues the line', () => {
    expect(shape('Get-X -A 1 `\n  -B 2 `\r\n  -C 3')).toEqual(['-A', 1, '-B', 2, '-C', 3]);
  });

  it('; and newlines separate statements; | continues over a newline', () => {
    expect(parseScript('Get-A; Get-B\nGet-C').statements).toHaveLength(3);
    const s = parseScript('Get-A |\n  Select-Object -First 1').statements;
    expect(s).toHaveLength(1);
    expect(s[0].kind === 'pipeline' && s[0].elements).toHaveLength(2);
  });

  it('assignment, member access, foreach and if', () => {
    const s = parseScript('$rule = Get-TransportRule X; $rule.Priority\nforeach ($r in $rules) { $r.Name }\nif ($a -eq 1) { "one" } elseif ($a) { "some" } else { "none" }').statements;
    expect(s.map((x) => x.kind)).toEqual(['assign', 'pipeline', 'foreach', 'if']);
  });

  it('here-strings', () => {
    expect(shape("Get-X @'\nline 1\nline '2'\n'@")).toEqual(["line 1\nline '2'"]);
  });
});

describe('parse errors', () => {
  it('name the problem and the position', () => {
    const err = parseError('Get-X -Name a\nGet-Y | ');
    expect(err.message).toBe('An empty pipe element is not allowed.');
    expect(err.position).toMatchObject({ line: 2, column: 7 });
    expect(parseError('$x = ').message).toContain("following the '=' operator");
    expect(parseError('Get-X (1').message).toBe("Missing closing ')' in expression.");
    expect(parseError("$a -foo 'b'").message).toBe("Unexpected token '-foo' in expression or statement.");
    expect(parseError('Get-X | 1').message).toBe('Expressions are only allowed as the first element of a pipeline.');
  });

  it('tell the REPL when more input could complete the script', () => {
    expect(isIncompleteInput("Get-X 'abc")).toBe(true);
    expect(isIncompleteInput('Get-X |')).toBe(true);
    expect(isIncompleteInput('Get-X `')).toBe(true);
    expect(isIncompleteInput('Get-X { $_')).toBe(true);
    expect(isIncompleteInput('Set-X -L @{Add="a";')).toBe(true);
    expect(isIncompleteInput('Get-X a,')).toBe(true);
    expect(isIncompleteInput('Get-X a')).toBe(false);
    expect(isIncompleteInput('Get-X )')).toBe(false);
  });
});
