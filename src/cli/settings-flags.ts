// Command-line flags shared by every command: one per setting, named after its environment variable.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, SETTINGS, parseConfig, type ServiceConfig, type SettingName } from '../config.js';
import { closestFlag } from './flag-suggestion.js';

export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

export const SETTING_FLAGS: FlagOptions = Object.fromEntries(
  SETTINGS.map((s) => [s.flag, { type: 'string' as const }]),
);

/** Every command's flags that are not settings. */
const COMMON_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  'create-folder': { type: 'boolean' },
} as const satisfies FlagOptions;

export function settingsHelp(): string {
  const width = Math.max(...SETTINGS.map((s) => s.flag.length)) + 4;
  const settings = SETTINGS.map(
    (s) => `  --${s.flag.padEnd(width)}${s.env}: ${s.help} (default: ${s.default || 'none'})`,
  );
  const createFolder = `  --${'create-folder'.padEnd(width)}create the missing folders of a sqlite: path (./data is always created)`;
  return [...settings, createFolder].join('\n');
}

export interface ParsedCommand {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

export function parseCommand(args: readonly string[], own: FlagOptions): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...SETTING_FLAGS, ...own, ...COMMON_FLAGS },
      allowPositionals: true,
      strict: true,
    });
    return { values: values, positionals };
  } catch (error) {
    throw new ConfigError(
      unknownFlagMessage(error, Object.keys({ ...SETTING_FLAGS, ...own, ...COMMON_FLAGS })),
    );
  }
}

/** parseArgs' own message for an unknown flag is a paragraph about `--`; ours names the closest flag. */
function unknownFlagMessage(error: unknown, known: readonly string[]): string {
  const message = (error as Error).message;
  if ((error as { code?: unknown }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return message;
  const given = /'(-[^']*)'/.exec(message)?.[1];
  if (given === undefined) return message;
  const name = given.replace(/^-+/, '').split('=')[0];
  const suggestion = closestFlag(name, known);
  return `unknown flag ${given}${suggestion ? ` (did you mean --${suggestion}?)` : ''}; see --help`;
}

/** Environment first, flags over it. */
export function configFrom(values: ParsedCommand['values'], env: NodeJS.ProcessEnv): ServiceConfig {
  const merged: Partial<Record<SettingName, string>> = {};
  for (const setting of SETTINGS) {
    const flag = values[setting.flag];
    const value = typeof flag === 'string' ? flag : env[setting.env];
    if (value !== undefined) merged[setting.env] = value;
  }
  const config = parseConfig(merged);
  return values['create-folder'] === true && config.database.dialect === 'sqlite'
    ? { ...config, database: { ...config.database, createFolder: true } }
    : config;
}
