// The `postern` command. Each subcommand lives in its own module and registers itself here.
import { Command } from 'commander';

const program = new Command('postern')
  .description('Inbound mail gateway with Exchange Online tenant mail flow: connectors, Reject Direct Send, rules, quarantine, trace, hunting.')
  .version('0.1.0');

await program.parseAsync(process.argv);
