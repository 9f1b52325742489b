// Fuzzing the cmdlet corpus: every argument of every valid.ps1 entry swapped for $null, @(), an
// empty string or a value of the wrong type, and every entry fed $null, @() and '' through the
// pipeline. Whatever a user types, the shell answers in PowerShell's words: no output or error
// may carry a JavaScript error. Seeded, so a failure reproduces; runs against the admin operations
// with every port wired (in-memory SQLite) and without the optional ones (quarantine, historical
// search, simulation and hunting then say they are not available).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandCall, Statement } from './ast.js';
import { cmdletRegistry, createShellSession } from './index.js';
import { adminTestbed } from '../testing/adminTestbed.js';
import { parseScript } from './parser.js';
import type { OrganizationAdmin } from '../admin/types.js';

const NOW = new Date('2026-11-22T12:00:00Z');

/** What a JavaScript error looks like when it leaks (PowerShell never prints these). */
const JS_ERROR = /Cannot read propert|is not a function|is not iterable|undefined|TypeError|RangeError|ReferenceError|Maximum call stack|\[object Object\]|\bNaN\b|\n\s+at .+:\d+:\d+/;

/** Values that replace an argument: nothing, empty, and the wrong type for most parameters. */
const SWAPS = ['$null', '@()', "''", '""', '@{}', '{ }', '@($null)', '$true', '-1', '99999999999', "'x'", '(Get-Date)', "@{Add=$null}", "@('a', $null)", "'   '"];
const PIPED = ['$null', '@()', "''", '@($null, $null)', '$true', '(Get-Date)'];

/** mulberry32: a small seeded PRNG, so the chosen swaps are the same on every run. */
function prng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function entries(): string[] {
  const text = readFileSync(new URL('./corpus/valid.ps1', import.meta.url), 'utf8');
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.split(/\r?\n/).every((l) => l.trim().startsWith('#')));
}

function commands(statements: Statement[]): CommandCall[] {
  const out: CommandCall[] = [];
  for (const s of statements) {
    if (s.kind === 'pipeline') out.push(...s.elements.filter((e): e is CommandCall => e.kind === 'command'));
    else if (s.kind === 'assign') out.push(...s.value.elements.filter((e): e is CommandCall => e.kind === 'command'));
  }
  return out;
}

/** The scripts to run: each argument swapped for a few seeded choices, and piped empties. */
function mutations(seed: number, perArgument: number): string[] {
  const random = prng(seed);
  const out: string[] = [];
  for (const entry of entries()) {
    for (const cmd of commands(parseScript(entry).statements)) {
      for (const el of cmd.elements) {
        if (el.kind !== 'argument') continue;
        for (let i = 0; i < perArgument; i++) {
          const swap = SWAPS[Math.floor(random() * SWAPS.length)];
          out.push(entry.slice(0, el.offset) + swap + entry.slice(el.end));
        }
      }
      const piped = PIPED[Math.floor(random() * PIPED.length)];
      out.push(entry.slice(0, cmd.offset) + `${piped} | ` + entry.slice(cmd.offset));
    }
  }
  return out;
}


async function leaks(services: OrganizationAdmin, scripts: string[]): Promise<string[]> {
  const found: string[] = [];
  const files = { writeFile: async () => undefined, readFile: async (p: string) => (p.includes('missing') ? Promise.reject(new Error('ENOENT')) : '') };
  for (const script of scripts) {
    const r = await createShellSession({ services, now: () => NOW, ...files }).run(script);
    const text = [r.output, ...r.errors.map((e) => e.format())].join('\n');
    const m = JS_ERROR.exec(text);
    if (m) found.push(`${script}\n  -> ${text.split('\n').find((l) => JS_ERROR.test(l)) ?? m[0]}`);
  }
  return found;
}

describe('the corpus with arguments swapped for $null, @(), empty strings and wrong types', () => {
  const scripts = mutations(20261205, 3);

  it('covers every corpus entry with many mutations', () => {
    expect(scripts.length).toBeGreaterThan(800);
  });

  it('never shows a JavaScript error (every port wired)', async () => {
    expect(await leaks(adminTestbed({ now: () => NOW }).admin, scripts)).toEqual([]);
  });

  it('never shows a JavaScript error (optional ports absent)', async () => {
    expect(await leaks(adminTestbed().adminFor('contoso'), scripts)).toEqual([]);
  });
});

describe('$null through the pipeline', () => {
  it("every cmdlet whose mandatory parameter takes pipeline input answers with PowerShell's error naming it", async () => {
    const bound = cmdletRegistry()
      .list()
      .flatMap((def) => def.parameters.filter((p) => p.valueFromPipeline && p.mandatory && p.name !== 'InputObject').map((p) => [def, p.name] as const));
    expect(bound.map(([def]) => def.name)).toEqual(expect.arrayContaining(['Release-QuarantineMessage', 'Set-TransportRule', 'Remove-InboundConnector', 'Stop-HistoricalSearch']));
    for (const [def, parameter] of bound) {
      const script = `$null | ${def.name}${def.supportsShouldProcess ? ' -Confirm:$false' : ''}${def.name === 'Release-QuarantineMessage' ? ' -ReleaseToAll' : ''}`;
      const r = await createShellSession({ services: adminTestbed({ now: () => NOW }).admin, now: () => NOW }).run(script);
      expect(r.errors.map((e) => e.format().split('\n')[0]), script).toEqual([`${def.name} : Cannot bind argument to parameter '${parameter}' because it is null.`]);
    }
  });
});
