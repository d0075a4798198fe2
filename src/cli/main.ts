#!/usr/bin/env node
import { ConfigError } from '../common/config-error.js';
import { FlagError, formatFlagHelp, parseFlags, type FlagSpec } from '../common/flags.js';
import { LockedError } from '../stack/lock.js';
import { initCommand } from './commands/init.js';
import { RUNNABLE, runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { UP_FLAGS, upCommand } from './commands/up.js';
import { UsageError } from './usage-error.js';

const STATUS_FLAGS: Record<string, FlagSpec> = {
  'config-dir': { type: 'string', help: 'Config directory whose .env names the UI port.' },
  'data-dir': { type: 'string', help: 'Data directory (for the built-in config).' },
  json: { type: 'bool', help: 'Print JSON instead of a table.' },
};

const NO_FLAGS: Record<string, FlagSpec> = {};

interface Command {
  summary: string;
  usage: string;
  flags?: Record<string, FlagSpec>;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  up: {
    summary: 'Run every role in this process (what `npm start` does).',
    usage: 'obs up [--config-dir DIR] [--data-dir DIR] [--listen-address HOST] [Prometheus flags]',
    flags: UP_FLAGS,
    run: (argv) => upCommand(parseFlags(argv, UP_FLAGS, 'kingpin').values),
  },
  init: {
    summary: 'Write a config directory in the seed layout (never overwrites).',
    usage: 'obs init [DIR]   (default ./infra/logging)',
    flags: NO_FLAGS,
    run: (argv) => initCommand(parseFlags(argv, NO_FLAGS, 'kingpin').positional),
  },
  status: {
    summary: 'Show the running roles: state, address, health, disk, retention.',
    usage: 'obs status [--config-dir DIR] [--json]',
    flags: STATUS_FLAGS,
    run: (argv) => statusCommand(parseFlags(argv, STATUS_FLAGS, 'kingpin').values),
  },
  run: {
    summary: "Run one role alone, with the real program's own flags.",
    usage: `obs run ROLE [FLAGS]\n\nRoles:\n${Object.entries(RUNNABLE)
      .map(([role, r]) => `  ${role.padEnd(14)} drop-in for ${r.replaces}: ${r.example}`)
      .join('\n')}`,
    run: (argv) => runCommand(argv),
  },
};

function mainHelp(): string {
  return (
    'obs: the whole observability stack for one host, in one process.\n\n' +
    'Usage: obs COMMAND [FLAGS]\n\nCommands:\n' +
    Object.entries(COMMANDS)
      .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
      .join('\n') +
    "\n\nRun `obs COMMAND --help` for a command's flags.\n"
  );
}

function commandHelp(name: string, command: Command): string {
  const flags =
    command.flags && Object.keys(command.flags).length > 0
      ? `\n\nFlags:\n${formatFlagHelp(command.flags, 'kingpin')}`
      : '';
  return `${command.summary}\n\nUsage: ${command.usage}${flags}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write('obs 0.1.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"; run \`obs --help\` for the list`);
  if ((rest[0] === '--help' || rest[0] === '-h') && !(name === 'run' && rest.length > 1)) {
    process.stdout.write(commandHelp(name, command));
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`obs: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof LockedError) {
      process.stderr.write(`obs: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof UsageError || err instanceof FlagError) {
      process.stderr.write(`obs: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`obs: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
