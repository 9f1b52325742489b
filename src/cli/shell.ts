// `postern shell`: the Exchange-compatible admin shell on the node's store, for one organization:
// the configuration store the settings name (the data directory's SQLite, or the PostgreSQL that
// `store:` names, shared by several nodes), and the data directory's SQLite for the rest. Non-interactive with -c / -File / piped standard input (output on stdout, each
// error on stderr, exit code 1 when any command failed); an interactive REPL when standard input
// is a terminal. Changes go through the store, so a running `postern serve` on the same data
// directory picks them up within its configuration poll (~0.5 s), and every node on the same
// PostgreSQL within a second.
import { Command } from 'commander';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { readFile as readFileAsync, writeFile as writeFileAsync } from 'node:fs/promises';
import {
  dirname,
  isAbsolute,
  join,
  relative,
  resolve,
} from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import {
  ReplBuffer,
  ShellError,
  cmdletRegistry,
  complete,
  createShellSession,
  type ScriptResult,
  type ShellSession,
} from '../shell/index.js';
import { createOrganizationAdmin } from '../admin/index.js';
import { userInfo } from 'node:os';
import { adminOptionsFor } from './adminOptions.js';
import { withDataDir } from './common.js';
import { openNodeStore } from './nodeStore.js';

interface ShellOptions {
  dataDir: string;
  /** The settings file naming the store (default <data-dir>/postern.yaml). */
  config?: string;
  command?: string;
  file?: string;
  organization?: string;
}

const HELP = `
Runs Exchange Online's mail-flow cmdlets against one organization of the data directory:
Get/Set-OrganizationConfig, Get/New/Set/Remove-AcceptedDomain, Get/New/Set/Remove-InboundConnector,
Get/New/Set/Remove/Enable/Disable-TransportRule, Get-MessageTrace[V2], Get-MessageTraceDetail[V2],
and the PowerShell utilities (Where-Object, Select-Object, Format-Table, Format-List, ConvertTo-Json,
ConvertFrom-Json, Export-Csv, Get-Content, ...). Get-Help <cmdlet> describes a cmdlet.
Commands copied from Microsoft's documentation work as pasted, e.g.

  postern shell -c 'Set-OrganizationConfig -RejectDirectSend $true'
  postern shell -c 'Get-InboundConnector | Format-Table'
  postern shell --organization Fabrikam -File harden.ps1
  echo 'Get-AcceptedDomain' | postern shell

Modes
  -c '<commands>'     run the commands and exit (several: separate them with ; or newlines)
  -File <script.ps1>  run a script file and exit (-Command and -Organization are accepted too)
  piped stdin         run what is read from standard input and exit
  a terminal          interactive: history (kept in <data-dir>/shell_history), Tab completes
                      cmdlets, parameters and enum values, an incomplete command (open quote,
                      brace or trailing |) continues on a ">> " line, Remove-* asks y/n,
                      "exit" or Ctrl+D leaves

Organization
  The session acts on one organization: --organization NAME|GUID, or the only organization of
  the data directory when there is exactly one. Objects of other organizations are invisible:
  their names and GUIDs are "not found"; to work on another organization start a shell for it.

Files
  Export-Csv, Get-Content and the other file cmdlets may only read and write below the current
  directory, and never inside the data directory (its database, TLS keys and spool), so a
  script pasted from elsewhere can't read or overwrite files outside the folder you run it in.

Output and exit status
  Output goes to stdout and each error, PowerShell-style ("Cmdlet : message" with the position),
  to stderr. Exit status: 0 when every command succeeded, 1 when any reported an error, 2 for a
  usage problem (unknown organization, both -c and -File, unreadable script).

Hosted quarantine: Get-/Preview-/Export-/Release-/Delete-QuarantineMessage (every action is
audited with the OS user and this shell's process id). Historical search:
Start-/Get-/Stop-HistoricalSearch (jobs run inside 'postern serve' and mail the CSV to
-NotifyAddress). Admin audit log: Search-AdminAuditLog lists every change made to the
organization (shell, CLI or REST API): who, which cmdlet and parameters, and each property's
old and new value. Not available in this version (the cmdlets say so): Test-MailFlow and
Invoke-Hunting.
`;

/**
 * PowerShell spells the host's options -File, -Command, -Organization; commander only knows
 * one-letter short options. Rewrite those spellings to the long options before parsing (only
 * in option position: the value of -c is left alone).
 */
export function normaliseShellArgv(argv: string[]): string[] {
  const at = 2; // node, script, subcommand
  if (argv[at] !== 'shell') return argv;
  const aliases: Record<string, string> = { '-file': '--file', '-command': '--command', '-organization': '--organization', '-datadir': '--data-dir' };
  const takesValue = new Set(['-c', '--command', '--file', '-o', '--organization', '-d', '--data-dir', '--config']);
  const out = argv.slice(0, at + 1);
  for (let i = at + 1; i < argv.length; i++) {
    const arg = argv[i];
    const mapped = aliases[arg.toLowerCase()] ?? arg;
    out.push(mapped);
    if (takesValue.has(mapped) && i + 1 < argv.length) out.push(argv[++i]);
  }
  return out;
}

function fileAccessError(path: string, parameter: string, why: string): ShellError {
  return new ShellError(`Access to '${path}' is denied: ${why}.`, { errorId: 'FileAccessNotAllowed', category: 'PermissionDenied', parameter });
}

/** Existing real path of `p`, or of its nearest existing ancestor joined with the rest. */
function realish(p: string): string {
  let dir = p;
  const rest: string[] = [];
  while (!existsSync(dir)) {
    const parent = dirname(dir);
    if (parent === dir) break;
    rest.unshift(dir.slice(parent.length).replace(/^[\\/]/, ''));
    dir = parent;
  }
  return join(realpathSync(dir), ...rest);
}

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** File callbacks confined to `root` (the working directory) and kept out of `dataDir`. */
export function confinedFiles(root: string, dataDir: string) {
  const realRoot = realpathSync(root);
  const realData = realish(resolve(dataDir));
  const check = (path: string, parameter: string): string => {
    const target = realish(resolve(root, path));
    if (!inside(realRoot, target)) throw fileAccessError(path, parameter, `the shell reads and writes files only below the current directory (${realRoot})`);
    if (inside(realData, target)) throw fileAccessError(path, parameter, `it is inside the data directory (${realData})`);
    return target;
  };
  return {
    readFile: async (path: string) => readFileAsync(check(path, 'Path'), 'utf8'),
    writeFile: async (path: string, content: string | Uint8Array) => {
      const target = check(path, 'Path');
      mkdirSync(dirname(target), { recursive: true });
      await writeFileAsync(target, content);
    },
  };
}

/** Who acts, for the admin audit log and the quarantine audit trail: the OS user and this shell session. */
function shellActor(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry: keep $USER */
  }
  return `${user} (postern shell, pid ${process.pid})`;
}

function printResult(r: ScriptResult): void {
  if (r.output) process.stdout.write(r.output.endsWith('\n') ? r.output : r.output + '\n');
  for (const e of r.errors) process.stderr.write(e.format() + '\n');
}

function usage(message: string): never {
  process.stderr.write(`postern shell: ${message}\n`);
  process.exit(2);
}

export function register(program: Command): void {
  process.argv.splice(0, process.argv.length, ...normaliseShellArgv(process.argv));
  withDataDir(program.command('shell'))
    .description('the Exchange-compatible admin shell (cmdlets for connectors, Reject Direct Send, rules, message trace)')
    .option('-c, --command <commands>', 'run these commands and exit')
    .option('--file <script>', 'run this script file and exit (also spelled -File)')
    .option('-o, --organization <name>', 'organization (name or GUID) to act on; default: the only one')
    .option('--config <file>', "server settings YAML whose store the shell acts on (default <data-dir>/postern.yaml when present)")
    .addHelpText('after', HELP)
    .action(async (opts: ShellOptions) => {
      if (opts.command !== undefined && opts.file !== undefined) usage('give either -c or -File, not both');
      let script: string | undefined = opts.command;
      if (opts.file !== undefined) {
        try {
          script = readFileSync(opts.file, 'utf8');
        } catch (e) {
          usage(`can't read the script '${opts.file}': ${(e as Error).message}`);
        }
      }
      const interactive = script === undefined && process.stdin.isTTY === true;
      if (script === undefined && !interactive) script = readFileSync(0, 'utf8');

      const dataDir = resolve(opts.dataDir);
      const { db, config, close } = await openNodeStore(dataDir, opts.config, 'shell');
      try {
        let organization = opts.organization;
        if (organization === undefined) {
          const orgs = config.organizations();
          if (orgs.length === 0) usage(`there is no organization in ${dataDir}; create one with 'postern init --demo' or 'postern config import'`);
          if (orgs.length > 1) usage(`the data directory holds ${orgs.length} organizations (${orgs.map((o) => o.Name).join(', ')}); choose one with --organization`);
          organization = orgs[0].Name;
        }
        let services;
        try {
          services = createOrganizationAdmin(adminOptionsFor({ db, config }, dataDir, organization, { actor: shellActor() }));
        } catch (e) {
          usage(e instanceof Error ? e.message : String(e));
        }
        const files = confinedFiles(process.cwd(), dataDir);
        if (!interactive) {
          const session = createShellSession({ services, width: process.stdout.columns || 120, ...files });
          const result = await session.run(script!);
          printResult(result);
          process.exitCode = result.exitCode;
          return;
        }
        await repl(services.organization, dataDir, (confirm) => createShellSession({ services, width: process.stdout.columns || 120, confirm, ...files }));
      } finally {
        await close();
      }
    });
}

/** The interactive loop: one session (variables persist), history, completion, continuation lines. */
async function repl(organization: string, dataDir: string, makeSession: (confirm: (message: string) => Promise<boolean>) => ShellSession): Promise<void> {
  const historyFile = join(dataDir, 'shell_history');
  let history: string[] = [];
  try {
    history = readFileSync(historyFile, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 1000);
  } catch {
    /* no history yet */
  }
  const registry = cmdletRegistry();
  // rl is created below; the confirm callback only runs once the loop is reading lines.
  const ask = (question: string) => new Promise<string>((answer) => rl.question(question, answer));
  const session = makeSession(async (message) => {
    for (;;) {
      const a = (await ask(`\nConfirm\n${message}\n[Y] Yes  [N] No  (default is "N"): `)).trim().toLowerCase();
      if (a === '' || a === 'n' || a === 'no') return false;
      if (a === 'y' || a === 'yes') return true;
    }
  });
  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history,
    historySize: 1000,
    removeHistoryDuplicates: true,
    completer: (line: string): [string[], string] => {
      const c = complete(line, line.length, registry, session.variableNames());
      return [c.candidates, line.slice(c.replaceFrom)];
    },
  });

  const prompt = `PS postern:${organization}> `;
  const buffer = new ReplBuffer();
  const saved: string[] = [];
  process.stdout.write(`Postern shell, organization '${organization}'. Get-Help <cmdlet> for help; exit or Ctrl+D to leave.\n`);
  rl.setPrompt(prompt);
  rl.on('SIGINT', () => {
    buffer.reset();
    rl.write(null, { ctrl: true, name: 'u' });
    process.stdout.write('\n');
    rl.setPrompt(prompt);
    rl.prompt();
  });
  rl.prompt();
  for await (const line of rl) {
    const script = buffer.push(line);
    if (script === undefined) {
      rl.setPrompt('>> ');
      rl.prompt();
      continue;
    }
    rl.setPrompt(prompt);
    const trimmed = script.trim();
    if (/^(exit|quit)$/i.test(trimmed)) break;
    if (trimmed !== '') {
      saved.push(script.replace(/\n/g, ' '));
      printResult(await session.run(script));
    }
    rl.prompt();
  }
  rl.close();
  process.stdout.write('\n');
  if (saved.length) {
    try {
      const previous = existsSync(historyFile) ? readFileSync(historyFile, 'utf8').split('\n').filter(Boolean) : [];
      writeFileSync(historyFile, [...previous, ...saved].slice(-1000).join('\n') + '\n', { mode: 0o600 });
      chmodSync(historyFile, 0o600);
    } catch {
      /* history is a convenience */
    }
  }
}
