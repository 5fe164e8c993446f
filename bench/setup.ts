// What a bench run needs before any load: a current build (the service under test is the compiled
// one), the organisation file, and bearer tokens signed with the key the service will use.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueToken } from '../src/auth/token-issuer.js';
import { SCOPE_MANAGE } from '../src/domain/caller.js';
import { openDatabase } from '../src/store/database.js';
import type { DatabaseTarget } from '../src/store/dialect.js';
import { KeyStore } from '../src/store/key-store.js';
import { buildBenchOrganisation, type BenchSizes, type BenchUser, type BenchWorld } from './organisation.js';
import type { BenchCaller } from './scenarios.js';
import { REPO } from './service-process.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `npm run build` unless dist is newer than every source file. A failed build (someone's edit in
 * progress) is reported, and the bench goes on with the dist that exists, if any.
 */
export async function ensureBuilt(force: boolean): Promise<string> {
  const marker = join(REPO, 'dist/cli/main.js');
  const stale = !existsSync(marker) || newestMtime(join(REPO, 'src')) > statSync(marker).mtimeMs;
  if (!force && !stale) return 'dist is current (not rebuilt)';
  const started = performance.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (c) => resolve({ code: c, output }));
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code === 0) return `built in ${seconds} s`;
  if (!existsSync(marker)) throw new Error(`npm run build failed and there is no dist:\n${output}`);
  process.stderr.write(
    `warning: npm run build failed; benchmarking the existing dist\n${output.slice(-2000)}\n`,
  );
  return `npm run build FAILED (exit ${code}); the existing dist was benchmarked`;
}

export interface OrganisationFileInfo {
  readonly path: string;
  readonly world: BenchWorld;
  readonly bytes: number;
  readonly seconds: number;
  readonly cached: boolean;
}

/**
 * Generates the organisation (deterministic), or reuses the file written by an earlier run with the
 * same sizes and the same generator sources.
 */
export function writeOrganisationFile(sizes: BenchSizes, workDir: string): OrganisationFileInfo {
  const started = performance.now();
  const hash = createHash('sha256')
    .update(JSON.stringify(sizes))
    .update(readFileSync(join(REPO, 'src/org/organisation-generator.ts')))
    .update(readFileSync(join(REPO, 'bench/organisation.ts')))
    .digest('hex')
    .slice(0, 12);
  const path = join(workDir, `organisation-${sizes.activities}-${hash}.json`);
  const cached = existsSync(path);
  // The world is cheap to recompute and must match the file: always build it, write only if missing.
  const { file, world } = buildBenchOrganisation(sizes);
  if (!cached) writeFileSync(path, JSON.stringify(file));
  return { path, world, bytes: statSync(path).size, seconds: (performance.now() - started) / 1000, cached };
}

/** Tokens from the embedded issuer, with the key kept in the bench database (the service reuses it). */
export async function issueTokens(
  target: DatabaseTarget,
  users: readonly BenchUser[],
  expiresInSeconds: number,
): Promise<BenchCaller[]> {
  const database = await openDatabase(target);
  try {
    const key = await new KeyStore(database.db).getOrCreate(Date.now());
    return users.map((user) => ({
      id: user.id,
      login: user.login,
      homeDepartment: user.homeDepartment,
      authorization: `Bearer ${issueToken(key, { userId: user.id, loginName: user.login, scope: SCOPE_MANAGE, expiresInSeconds })}`,
    }));
  } finally {
    await database.close();
  }
}
