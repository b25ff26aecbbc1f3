#!/usr/bin/env node
/** The otaflow executable (package.json "bin"): one module per subcommand in scripts/cli/. */
import { Command } from 'commander';
import { runCommand } from './cli/run.ts';

const program = new Command('otaflow')
  .description('Firmware-over-the-air campaigns on Apache Kafka; configured by environment variables (README: Configuration)')
  .showHelpAfterError()
  .addCommand(runCommand());
await program.parseAsync();
// The services have stopped: a client a provisioning step left behind must not keep the process alive.
process.exit();
