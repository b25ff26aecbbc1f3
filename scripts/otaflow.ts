#!/usr/bin/env node
/** The otaflow executable (package.json "bin"): one module per subcommand in scripts/cli/. */
import { Command } from 'commander';
import { campaignCommand } from './cli/campaign.ts';
import { dashboardCommand } from './cli/dashboard.ts';
import { runCommand } from './cli/run.ts';
import { tokenCommand } from './cli/token.ts';

const program = new Command('otaflow')
  .description('Firmware-over-the-air campaigns on Apache Kafka; configured by environment variables (README: Configuration)')
  .showHelpAfterError()
  .addCommand(runCommand())
  .addCommand(campaignCommand())
  .addCommand(dashboardCommand())
  .addCommand(tokenCommand());
await program.parseAsync();
// The command is done: a client it (or a provisioning step) left behind must not keep the process alive.
process.exit();
