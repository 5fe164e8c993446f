// A PostgreSQL server of the test's own (initdb into a temporary folder, its own port and socket), so
// that an outage test can stop and start a real server without touching the machine's shared one.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface PrivatePostgres {
  readonly url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

function binDir(): string {
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

/** initdb refuses to run as root: run the server's commands as the `postgres` user then. */
function runner(): { run: (command: string, args: string[]) => void; owner?: { uid: number; gid: number } } {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) return { run: (command, args) => void execFileSync(command, args, { stdio: 'pipe' }) };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return {
    run: (command, args) =>
      void execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' }),
    owner: { uid, gid },
  };
}

/** Returns why it cannot run here instead of throwing, so the caller can skip or fail (CI). */
export async function startPrivatePostgres(): Promise<PrivatePostgres | { unavailable: string }> {
  let bin: string;
  let run: ReturnType<typeof runner>;
  try {
    bin = binDir();
    run = runner();
  } catch (error) {
    return { unavailable: `no PostgreSQL server binaries (pg_config --bindir): ${(error as Error).message}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'casemgr-pg-'));
  if (run.owner) chownSync(dir, run.owner.uid, run.owner.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const pgCtl = join(bin, 'pg_ctl');
  try {
    run.run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    run.run(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `could not start a private PostgreSQL: ${(error as Error).message}` };
  }
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      run.run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    start() {
      run.run(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
      running = true;
    },
    destroy() {
      try {
        if (running) run.run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
