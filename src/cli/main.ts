// The `casemgr` command: serve, import, token, user password, migrate, webhook. Exit codes: 0 done, 1 failed, 2 bad usage or config.
// Start-up time is most of a short command's run (`casemgr token` is used in scripts), so this module
// loads only the settings and the help texts; each command's code is imported when that command runs
// (`token` never loads the HTTP server, `--help` never loads a database driver).
import { ConfigError } from '../config.js';
import { SCOPE_MANAGE } from '../domain/caller.js';
import { MissingDatabaseFolder } from '../store/store-errors.js';
import { ImportRejected, UnknownSubscription, UnknownUser } from './command-errors.js';
import {
  IMPORT_HELP,
  MAIN_HELP,
  MIGRATE_HELP,
  SERVE_HELP,
  TOKEN_HELP,
  USER_PASSWORD_HELP,
  WEBHOOK_HELP,
} from './command-help.js';
import { configFrom, parseCommand, settingsHelp } from './settings-flags.js';
import type { WebhookAction } from './webhook-command.js';

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
      const { tuneHeapGrowth } = await import('./memory-tuning.js');
      const { startService, stopOnSignals } = await import('./serve-command.js');
      tuneHeapGrowth();
      const service = await startService(config, { demo: values.demo === true }).catch((error: unknown) => {
        throw listenProblem(error, config) ?? error;
      });
      stopOnSignals(service, config.shutdownGraceMs);
      return -1; // keep running
    }
    case 'import': {
      const { values, positionals } = parseCommand(rest, {});
      if (values.help) return printHelp(IMPORT_HELP);
      if (positionals.length !== 1) throw new ConfigError('import takes exactly one FILE');
      const config = configFrom(values, process.env);
      const { runImport } = await import('./import-command.js');
      const counts = await runImport(config, positionals[0]);
      process.stdout.write(
        `imported ${counts.departments} departments, ${counts.users} users, ${counts.queues} queues, ${counts.activities} activities, ${counts.customers} customers, ${counts.cases} cases\n`,
      );
      return 0;
    }
    case 'token': {
      const { values, positionals } = parseCommand(rest, {
        scope: { type: 'string' },
        'expires-in': { type: 'string' },
        client: { type: 'string' },
      });
      if (values.help) return printHelp(TOKEN_HELP);
      const client = typeof values.client === 'string' ? values.client : undefined;
      if (client !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(client))
        throw new ConfigError(
          `--client must be 1–128 letters, digits, '.', '_', ':' or '-', got "${client}"`,
        );
      if (client === undefined && positionals.length !== 1)
        throw new ConfigError('token takes exactly one LOGIN');
      if (client !== undefined && positionals.length !== 0)
        throw new ConfigError('token takes a LOGIN or --client NAME, not both');
      const expires = String(values['expires-in'] ?? '3600');
      if (!/^[1-9]\d{0,8}$/.test(expires))
        throw new ConfigError(`--expires-in must be a whole number of seconds, got "${expires}"`);
      const scope = typeof values.scope === 'string' ? values.scope : SCOPE_MANAGE;
      const config = configFrom(values, process.env);
      const { runToken } = await import('./token-command.js');
      const subject = client !== undefined ? { client } : { login: positionals[0] };
      process.stdout.write(`${await runToken(config, subject, scope, Number(expires))}\n`);
      return 0;
    }
    case 'user': {
      const [subcommand, ...args] = rest;
      const { values, positionals } = parseCommand(args, {});
      if (values.help || subcommand === '--help' || subcommand === '-h') return printHelp(USER_PASSWORD_HELP);
      if (subcommand !== 'password')
        throw new ConfigError(
          `unknown user command "${subcommand ?? ''}" (try casemgr user password --help)`,
        );
      if (positionals.length !== 1) throw new ConfigError('user password takes exactly one LOGIN');
      const config = configFrom(values, process.env);
      const { readNewPassword, runSetPassword } = await import('./password-command.js');
      const password = await readNewPassword(process.stdin, process.stdout);
      await runSetPassword(config, positionals[0], password);
      process.stdout.write(`password set for ${positionals[0]}\n`);
      return 0;
    }
    case 'migrate': {
      const { values } = parseCommand(rest, {});
      if (values.help) return printHelp(MIGRATE_HELP);
      const config = configFrom(values, process.env);
      const { openDatabase } = await import('../store/database.js');
      const database = await openDatabase(config.database, config.pool);
      await database.close();
      // Says what it did: "up to date" right after creating every table would hide that it did.
      const applied = database.migrationsApplied;
      process.stdout.write(
        applied.length === 0
          ? 'database schema is up to date: no migration to apply\n'
          : `applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}\n`,
      );
      return 0;
    }
    case 'webhook': {
      const { values, positionals } = parseCommand(rest, {
        events: { type: 'string' },
        secret: { type: 'string' },
        inactive: { type: 'boolean' },
      });
      if (values.help) return printHelp(WEBHOOK_HELP);
      const action = webhookAction(positionals, values);
      const config = configFrom(values, process.env);
      const { runWebhook } = await import('./webhook-command.js');
      process.stdout.write(await runWebhook(config, action));
      return 0;
    }
    default:
      throw new ConfigError(`unknown command "${command}" (try casemgr --help)`);
  }
}

function webhookAction(
  positionals: readonly string[],
  values: Record<string, string | boolean | undefined>,
): WebhookAction {
  const [sub, ...args] = positionals;
  const flag = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  const addOnly = ['events', 'secret', 'inactive'].filter((name) => values[name] !== undefined);
  if (sub !== 'add' && addOnly.length > 0)
    throw new ConfigError(`--${addOnly[0]} goes with webhook add only`);
  switch (sub) {
    case 'add':
      if (args.length !== 1) throw new ConfigError('webhook add takes exactly one URL');
      return {
        kind: 'add',
        url: args[0],
        events: flag('events'),
        secret: flag('secret'),
        inactive: values.inactive === true,
      };
    case 'list':
      if (args.length !== 0) throw new ConfigError('webhook list takes no argument');
      return { kind: 'list' };
    case 'remove':
      if (args.length !== 1) throw new ConfigError('webhook remove takes exactly one ID');
      return { kind: 'remove', id: args[0] };
    case 'redeliver':
      if (args.length > 1) throw new ConfigError('webhook redeliver takes at most one ID');
      return { kind: 'redeliver', id: args[0] };
    default:
      throw new ConfigError('webhook takes add, list, remove or redeliver (try casemgr webhook --help)');
  }
}

/** A port or address the service cannot listen on is bad configuration: one line naming the setting. */
function listenProblem(error: unknown, config: { port: number; host: string }): ConfigError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE')
    return new ConfigError(
      `PORT ${config.port} is already in use (${where}): stop the other process, or choose another port with PORT or --port`,
    );
  if (code === 'EACCES')
    return new ConfigError(
      `PORT ${config.port} needs privileges this process lacks (${where}): choose a port above 1023 with PORT or --port`,
    );
  if (code === 'EADDRNOTAVAIL')
    return new ConfigError(`HOST ${config.host} is not an address of this machine: set HOST or --host`);
  return undefined;
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
    if (error instanceof ConfigError || error instanceof MissingDatabaseFolder) {
      process.stderr.write(`casemgr: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof ImportRejected) {
      process.stderr.write(`casemgr: the organisation file was not imported:\n${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof UnknownUser || error instanceof UnknownSubscription) {
      process.stderr.write(`casemgr: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`casemgr: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
