// `casemgr serve`: migrate, optionally seed the demo organisation, listen, and shut down gracefully.
import { readFile } from 'node:fs/promises';
import { buildApp, type App } from '../app.js';
import type { ServiceConfig } from '../config.js';
import { openDatabase, type OpenDatabase } from '../store/database.js';
import { redactUrl } from '../store/dialect.js';
import { OrganisationStore } from '../store/organisation-store.js';
import { createTransactional } from '../store/transaction.js';
import { importDocument, validateOrganisationText } from './import-command.js';

export const DEMO_FILE = new URL('../../demo/organisation.json', import.meta.url);

export interface RunningService {
  readonly app: App;
  readonly database: OpenDatabase;
  readonly address: string;
  stop(): Promise<void>;
}

async function seedDemo(database: OpenDatabase): Promise<boolean> {
  const store = new OrganisationStore(database.db, createTransactional(database.db, database.dialect));
  if (!(await store.isEmpty())) return false;
  await importDocument(database, validateOrganisationText(await readFile(DEMO_FILE, 'utf8')), Date.now());
  return true;
}

export async function startService(
  config: ServiceConfig,
  options: { demo: boolean },
): Promise<RunningService> {
  const database = await openDatabase(config.database, config.pool);
  let app: App | undefined;
  try {
    const seeded = options.demo ? await seedDemo(database) : false;
    app = await buildApp({
      database,
      auth: config.auth,
      transactions: config.transactions,
      userFactsTtlMs: config.userFactsTtlMs,
      overload: config.overload,
      turnMs: config.turnMs,
      connectionLimits: config.connectionLimits,
      turnQueueMax: config.turnQueueMax,
      turnWaitMaxMs: config.turnWaitMaxMs,
      underPressure: config.underPressure,
      rateLimit: config.rateLimit,
      metricsToken: config.metricsToken,
      webhooks: config.webhooks,
      eventStream: config.eventStream,
      // The console's sign-in exists in embedded-issuer mode only; buildApp ignores it otherwise.
      signIn: { publicUrl: config.publicUrl },
      logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
    });
    const address = await app.server.listen({ port: config.port, host: config.host });
    app.server.log.info(
      { address, database: redactUrl(config.databaseUrl), dialect: database.dialect, demoImported: seeded },
      'casemgr is serving',
    );
    const running = app;
    return {
      app: running,
      database,
      address,
      async stop() {
        await running.server.close();
        await database.close();
      },
    };
  } catch (error) {
    // Closing the server stops what it started (the webhook deliverer) before the pool goes.
    await app?.server.close();
    await database.close();
    throw error;
  }
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish within the grace period, close the pool. */
export function stopOnSignals(service: RunningService, graceMs: number): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.app.server.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      service.app.server.log.error('shutdown grace period over; exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        service.app.server.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
