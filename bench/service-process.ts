// Child processes of the bench: the casemgr service (the compiled CLI, as production runs it), the
// bare-Fastify HTTP ceiling, and `casemgr import`. Every child is registered so that the bench can kill
// whatever is still running when it ends, errors and Ctrl-C included.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '../test/support/free-port.js';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const CASEMGR_BIN = fileURLToPath(new URL('../bin/casemgr.js', import.meta.url));

const running = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL: this is the last resort on the way out). */
export function killAllChildren(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

/** The environment a child inherits, without anything that would change how node runs it. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // The bench itself runs under tsx; the service must run the compiled code with no loader.
  if (extra.NODE_OPTIONS === undefined) delete env.NODE_OPTIONS;
  return env;
}

export interface Child {
  readonly pid: number;
  readonly baseUrl: string;
  /** The last lines the child wrote to stderr/stdout, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

function track(child: ChildProcess): () => string {
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `child exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`child not ready at ${url} within ${timeoutMs} ms:\n${output()}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

export interface ServiceOptions {
  readonly databaseUrl: string;
  readonly poolMax: number;
  /**
   * Node flags before the script, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS); the profile is
   * written when the service exits (its SIGTERM handler calls process.exit).
   */
  readonly nodeArgs?: readonly string[];
  /** More settings for the service (e.g. OVERLOAD_CONTROL). */
  readonly env?: Readonly<Record<string, string>>;
}

/** `casemgr serve` on a fresh port; resolves once /health/ready answers 200 (migrations done, DB up). */
export async function startService(options: ServiceOptions): Promise<Child> {
  const port = await freePort();
  const env = childEnv({
    DATABASE_URL: options.databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_MAX: String(options.poolMax),
    // The bench measures what an instance can serve, not the per-caller limit (a few agents send
    // thousands of requests a second).
    RATE_LIMIT_MAX: '0',
    ...options.env,
  });
  const args = [...(options.nodeArgs ?? []), CASEMGR_BIN, 'serve'];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = track(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${baseUrl}/health/ready`, child, output, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { pid: child.pid!, baseUrl, output, stop: stopper(child) };
}

/** The bare Fastify server of the HTTP ceiling, in its own process like the service. */
export async function startHttpCeiling(): Promise<Child> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./ceiling-http-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: childEnv({ PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: REPO,
  });
  const output = track(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${baseUrl}/ready`, child, output, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { pid: child.pid!, baseUrl, output, stop: stopper(child) };
}

/** Runs a command to completion; rejects with its output when it fails. */
export function runCommand(args: readonly string[], env: Record<string, string>, timeoutMs: number) {
  return new Promise<{ stdout: string; ms: number }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: REPO,
    });
    const output = track(child);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, ms: performance.now() - started });
      else reject(new Error(`${args.join(' ')} failed (${code ?? signal}):\n${output()}`));
    });
  });
}

export interface Memory {
  readonly rssMb: number;
  readonly peakMb: number;
}

/** VmRSS and VmHWM (peak resident set) of a process, in MiB. */
export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/**
 * Resets VmHWM to the current RSS (Linux ≥ 4.0, "5" > clear_refs), so that each scenario reports its
 * own peak. Returns false where the kernel or the sandbox refuses; the peak is then cumulative.
 */
export function resetPeakMemory(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
