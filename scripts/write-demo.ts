// Writes the demo organisation (the file `npm start` imports on first run) or, with flags, a larger
// one for benchmarks:
//   npx tsx scripts/write-demo.ts
//   npx tsx scripts/write-demo.ts --out bench/.work/org.json --users 500 --queues 50 --activities 200000
// Sizes and seed default to DEMO_OPTIONS; `now` is always DEMO_OPTIONS.now so output is reproducible.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DEMO_OPTIONS,
  generateOrganisation,
  type GeneratorOptions,
} from '../src/org/organisation-generator.js';

const DEFAULT_OUT = fileURLToPath(new URL('../demo/organisation.json', import.meta.url));
const SIZE_FLAGS = ['seed', 'departments', 'users', 'queues', 'activities'] as const;

function integerFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new Error(`--${name} must be an integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

function readOptions(argv: string[]): { out: string; options: GeneratorOptions } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: { type: 'string' },
      ...Object.fromEntries(SIZE_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  const flags = values as Record<string, string | undefined>;
  const options: GeneratorOptions = { ...DEMO_OPTIONS };
  for (const flag of SIZE_FLAGS) options[flag] = integerFlag(flag, flags[flag], DEMO_OPTIONS[flag]);
  return { out: resolve(flags.out ?? DEFAULT_OUT), options };
}

async function main(): Promise<void> {
  const { out, options } = readOptions(process.argv.slice(2));
  const organisation = generateOrganisation(options);
  const text = `${JSON.stringify(organisation, null, 2)}\n`;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
  console.log(
    `wrote ${out}: ${organisation.users.length} users, ${organisation.queues.length} queues, ` +
      `${organisation.activities.length} activities, ${Buffer.byteLength(text)} bytes`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
