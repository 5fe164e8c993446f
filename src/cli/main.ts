// The `casemgr` command: serve, import, token, migrate. Exit codes: 0 done, 1 failed, 2 bad usage or config.
import { ConfigError } from '../config.js';
import { SCOPE_MANAGE } from '../domain/caller.js';
import { openDatabase } from '../store/database.js';
import { IMPORT_HELP, ImportRejected, runImport } from './import-command.js';
import { tuneHeapGrowth } from './memory-tuning.js';
import { SERVE_HELP, startService, stopOnSignals } from './serve-command.js';
import { configFrom, parseCommand, settingsHelp } from './settings-flags.js';
import { TOKEN_HELP, UnknownUser, runToken } from './token-command.js';

const MIGRATE_HELP = `Usage: casemgr migrate [options]

Creates or upgrades the database schema and exits (serve, import and token also do this on start).`;

const MAIN_HELP = `Usage: casemgr <command> [options]

Commands:
  serve            start the API (add --demo to seed the demo organisation into an empty database)
  import FILE      load an organisation file
  token LOGIN      print a bearer token for a user
  migrate          create or upgrade the database schema

Run \`casemgr <command> --help\` for a command's options.`;

const withSettings = (text: string) =>
  `${text}\n\nSettings (flag, or environment variable):\n${settingsHelp()}\n`;

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(withSettings(MAIN_HELP));
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case 'serve': {
      const { values } = parseCommand(rest, { demo: { type: 'boolean' } });
      if (values.help) return printHelp(SERVE_HELP);
      const config = configFrom(values, process.env);
      tuneHeapGrowth();
      const service = await startService(config, { demo: values.demo === true });
      stopOnSignals(service, config.shutdownGraceMs);
      return -1; // keep running
    }
    case 'import': {
      const { values, positionals } = parseCommand(rest, {});
      if (values.help) return printHelp(IMPORT_HELP);
      if (positionals.length !== 1) throw new ConfigError('import takes exactly one FILE');
      const counts = await runImport(configFrom(values, process.env), positionals[0]);
      process.stdout.write(
        `imported ${counts.departments} departments, ${counts.users} users, ${counts.queues} queues, ${counts.activities} activities\n`,
      );
      return 0;
    }
    case 'token': {
      const { values, positionals } = parseCommand(rest, {
        scope: { type: 'string' },
        'expires-in': { type: 'string' },
      });
      if (values.help) return printHelp(TOKEN_HELP);
      if (positionals.length !== 1) throw new ConfigError('token takes exactly one LOGIN');
      const expires = String(values['expires-in'] ?? '3600');
      if (!/^[1-9]\d{0,8}$/.test(expires))
        throw new ConfigError(`--expires-in must be a whole number of seconds, got "${expires}"`);
      const scope = typeof values.scope === 'string' ? values.scope : SCOPE_MANAGE;
      process.stdout.write(
        `${await runToken(configFrom(values, process.env), positionals[0], scope, Number(expires))}\n`,
      );
      return 0;
    }
    case 'migrate': {
      const { values } = parseCommand(rest, {});
      if (values.help) return printHelp(MIGRATE_HELP);
      const config = configFrom(values, process.env);
      const database = await openDatabase(config.database, config.pool);
      await database.close();
      process.stdout.write('database schema is up to date\n');
      return 0;
    }
    default:
      throw new ConfigError(`unknown command "${command}" (try casemgr --help)`);
  }
}

function printHelp(text: string): number {
  process.stdout.write(withSettings(text));
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`casemgr: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof ImportRejected) {
      process.stderr.write(`casemgr: the organisation file was not imported:\n${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof UnknownUser) {
      process.stderr.write(`casemgr: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`casemgr: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
