// The embedded issuer's private key: database files are created readable by their owner only, and
// the serving process never reads the private key back (it verifies with the public key alone).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import { buildApp } from '../src/app.js';
import { issueToken } from '../src/auth/token-issuer.js';
import { runToken } from '../src/cli/token-command.js';
import { startService } from '../src/cli/serve-command.js';
import { importDocument, validateOrganisationText } from '../src/cli/import-command.js';
import { parseConfig } from '../src/config.js';
import { openDatabase } from '../src/store/database.js';
import { KeyStore } from '../src/store/key-store.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { createTestDatabase } from './support/test-databases.js';
import { EMBEDDED_AUTH, FIXTURE_NOW, fixtureOrganisation, rawRequest } from './support/test-service.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('database files are created 0600', () => {
  let dir: string;
  let previousUmask: number;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'casemgr-custody-'));
    // The usual umask: without the fix, new files would be 0644.
    previousUmask = process.umask(0o022);
  });
  after(() => {
    process.umask(previousUmask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('`serve` on a new path creates the database, -wal and -shm readable by their owner only', async () => {
    const path = join(dir, 'serve.db');
    const service = await startService(
      parseConfig({ DATABASE_URL: `sqlite:${path}`, PORT: '0', LOG_LEVEL: 'silent' }),
      { demo: false },
    );
    try {
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        assert.equal(modeOf(file).toString(8), '600', file);
      }
    } finally {
      await service.stop();
    }
  });

  it('`casemgr token` on a new path creates the database (holding the private key) 0600', async () => {
    const path = join(dir, 'token.db');
    await assert.rejects(
      runToken(parseConfig({ DATABASE_URL: `sqlite:${path}` }), { login: 'nobody' }, 'x', 60),
      {
        name: 'UnknownUser',
      },
    );
    assert.equal(modeOf(path).toString(8), '600');
  });
});

describe('the serving process holds no private key', async () => {
  const { dialects } = await dialectsUnderTest();
  for (const dialect of dialects) {
    it(`${dialect}: verifies embedded tokens without ever reading the private key (new and existing key)`, async () => {
      const testDatabase = await createTestDatabase(dialect);
      const database = await openDatabase(testDatabase.target);
      // Every row any query of the app returns, as the database sent it.
      const rows: Record<string, unknown>[] = [];
      const recorder: KyselyPlugin = {
        transformQuery: (args) => args.node,
        transformResult: (args) => {
          rows.push(...(args.result.rows as Record<string, unknown>[]));
          return Promise.resolve(args.result);
        },
      };
      const observed = { ...database, db: database.db.withPlugin(recorder) };
      try {
        await importDocument(
          database,
          validateOrganisationText(JSON.stringify(fixtureOrganisation())),
          FIXTURE_NOW.getTime(),
        );
        // First start: no key yet, the app creates one. Second start: the key exists.
        for (const start of ['first', 'second']) {
          const app = await buildApp({ database: observed, auth: EMBEDDED_AUTH });
          try {
            await app.server.listen({ port: 0, host: '127.0.0.1' });
            const address = app.server.server.address();
            const port = typeof address === 'object' && address ? address.port : 0;
            // `casemgr token`'s part: signing needs the private key, read outside the serving app.
            const key = await new KeyStore(database.db).getOrCreate(Date.now());
            const token = issueToken(key, {
              userId: '1001',
              loginName: 'alice',
              scope: 'core.casemgr.read',
              expiresInSeconds: 60,
            });
            const response = await rawRequest(`http://127.0.0.1:${port}`, {
              path: '/core/casemgr/v3/activity/100001',
              headers: { authorization: `Bearer ${token}` },
            });
            assert.equal(response.status, 200, response.text);
          } finally {
            await app.server.close();
          }
          const leaked = rows.filter(
            (row) =>
              'private_pem' in row || Object.values(row).some((v) => String(v).includes('PRIVATE KEY')),
          );
          assert.equal(leaked.length, 0, `${start} start: the serving app read the private key`);
        }
      } finally {
        await database.close();
        await testDatabase.drop();
      }
    });
  }
});
