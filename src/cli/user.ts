// `postern user`: admin center and REST API users — add, list, remove, set a password. Passwords
// come from standard input (--password-stdin) or are generated and printed once; they are kept
// only as scrypt hashes. Works while the gateway runs: sign-in reads the store each time.
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { generatePassword } from '../api/access/password.js';
import { AccessControl, AccessError, userView } from '../api/access/service.js';
import { ROLES } from '../api/access/roles.js';
import { SqliteAdminUserStore } from '../store/sqlite/adminUserStore.js';
import { CliError, openStore, printRows, withDataDir, withFormat, type Format } from './common.js';

function passwordFrom(stdin: boolean | undefined): { password: string; generated: boolean } {
  if (!stdin) return { password: generatePassword(), generated: true };
  const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  return { password, generated: false };
}

async function withAccess<T>(dataDir: string, f: (access: AccessControl, orgGuid: (name: string) => string) => Promise<T>): Promise<T> {
  const { db, config } = openStore(dataDir);
  try {
    const orgGuid = (name: string) => {
      const org = config.organization(name) ?? config.organization(name.toLowerCase());
      if (!org) throw new CliError(`no organization '${name}' (postern config export lists them)`, 2);
      return org.Guid;
    };
    return await f(new AccessControl(new SqliteAdminUserStore(db)), orgGuid);
  } catch (e) {
    if (e instanceof AccessError) throw new CliError(e.message, e.status === 404 ? 1 : 2);
    throw e;
  } finally {
    db.close();
  }
}

export function register(program: Command): void {
  const user = program.command('user').description('admin center and REST API users: add, list, remove, set-password');
  withDataDir(user.command('add'))
    .description('add a user with one or more roles, in an organization (or --provider: an operator of every organization)')
    .argument('<name>', 'user name (letters, digits, . _ @ + -)')
    .option('-o, --organization <name>', 'the organization the user belongs to')
    .option('--provider', 'a provider operator (role Provider Operator, every organization)')
    .addOption(new Option('-r, --role <role...>', 'roles').choices(ROLES.filter((r) => r !== 'Provider Operator')))
    .option('--password-stdin', 'read the password from standard input (otherwise one is generated and printed once)')
    .action(async (name: string, opts: { dataDir: string; organization?: string; provider?: boolean; role?: string[]; passwordStdin?: boolean }) => {
      if (!!opts.provider === !!opts.organization) throw new CliError('give --organization <name> or --provider', 2);
      if (opts.organization && !opts.role?.length) throw new CliError("give at least one --role (e.g. --role 'Organization Management')", 2);
      const { password, generated } = passwordFrom(opts.passwordStdin);
      await withAccess(opts.dataDir, async (access, orgGuid) => {
        const organization = opts.organization ? orgGuid(opts.organization) : null;
        await access.addUser({ userName: name, password, organization, roles: opts.provider ? ['Provider Operator'] : (opts.role ?? []) });
      });
      console.log(generated ? `user ${name} added; password (shown once): ${password}` : `user ${name} added`);
    });
  withFormat(withDataDir(user.command('list')))
    .description('list users, their organization and roles')
    .action(async (opts: { dataDir: string; format: Format }) => {
      await withAccess(opts.dataDir, async (access) => {
        printRows(access.users.users().map((u) => ({ ...userView(u), roles: userView(u).roles.join(', ') })), opts.format, ['userName', 'organization', 'roles', 'createdAt']);
      });
    });
  withDataDir(user.command('remove'))
    .description('remove a user (their sessions and API tokens end)')
    .argument('<name>')
    .action(async (name: string, opts: { dataDir: string }) => {
      await withAccess(opts.dataDir, async (access) => {
        if (!access.users.removeUser(name)) throw new CliError(`no user '${name}'`);
      });
      console.log(`user ${name} removed`);
    });
  withDataDir(user.command('set-password'))
    .description("set a user's password (their signed-in sessions end)")
    .argument('<name>')
    .option('--password-stdin', 'read the password from standard input (otherwise one is generated and printed once)')
    .action(async (name: string, opts: { dataDir: string; passwordStdin?: boolean }) => {
      const { password, generated } = passwordFrom(opts.passwordStdin);
      await withAccess(opts.dataDir, (access) => access.setPassword(name, password));
      console.log(generated ? `password of ${name} set (shown once): ${password}` : `password of ${name} set`);
    });
}
