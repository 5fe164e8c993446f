// The database goes away under load and comes back: requests answer 503-100 with Retry-After (never
// a 500, never a crash), /health/ready turns not-ready, nothing is half-written, and the service
// recovers by itself. A private PostgreSQL server is stopped and started for real.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialectsUnderTest } from './support/test-databases.js';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';
import {
  fixtureOrganisation,
  startTestService,
  type HttpResponse,
  type TestService,
} from './support/test-service.js';

interface Sent {
  readonly ids: readonly string[];
  readonly status: number;
  readonly code?: string;
  readonly retryAfter?: string;
}

const { dialects } = await dialectsUnderTest();
const server = dialects.includes('postgres')
  ? await startPrivatePostgres()
  : { unavailable: 'PostgreSQL suites are not selected' };
const skip = 'unavailable' in server ? server.unavailable : false;
if (skip && process.env.CI === 'true' && dialects.includes('postgres'))
  throw new Error(`outage test cannot run: ${skip}`);

describe('PostgreSQL outage under load', { skip }, () => {
  const pgServer = server as PrivatePostgres;
  let service: TestService;
  const sent: Sent[] = [];
  let running = true;
  let load: Promise<void> = Promise.resolve();
  const observed = {
    readyBefore: 0,
    readyDuring: 0,
    liveDuring: 0,
    readyAfter: 0,
    duringOutage: [] as Sent[],
    afterRestart: [] as Sent[],
  };

  before(async () => {
    const organisation = fixtureOrganisation(3000);
    service = await startTestService('postgres', {
      organisation,
      shared: {
        database: {
          target: { dialect: 'postgres', url: pgServer.url },
          url: pgServer.url,
          drop: async () => undefined,
        },
        seeded: false,
      },
    });
    // What alice may pick from a queue: Service queues, her licenses, pickable types, no drafts.
    const serviceQueues = new Set(
      (organisation.queues ?? []).filter((q) => q.department === '999').map((q) => q.id),
    );
    const ids = (organisation.activities ?? [])
      .filter(
        (a) =>
          a.status === 'awaiting_assignment' && serviceQueues.has(a.queue ?? '') && a.department === '999',
      )
      .filter((a) => !['chat', 'call_track', 'web'].includes(a.type) && a.isDraftResponse !== true)
      .map((a) => a.id);
    let next = 0;
    // Ten clients picking distinct activities as alice (supervisor) and reading them back, nonstop.
    const client = async () => {
      while (running) {
        const batch = [ids[next++ % ids.length], ids[next++ % ids.length]];
        let lastModified: string[];
        try {
          lastModified = await Promise.all(batch.map((id) => service.lastModified(id)));
        } catch {
          // The test reads the database directly; while it is down there is nothing to read.
          const response = await service.pick(
            'alice',
            batch.map((id) => ({ id, lastModified: new Date(0).toISOString() })),
          );
          record(batch, response);
          await sleep(20);
          continue;
        }
        const response = await service.pick(
          'alice',
          batch.map((id, i) => ({ id, lastModified: lastModified[i] })),
        );
        record(batch, response);
        // A steady load rather than a flood, so the work lasts past the restart.
        await sleep(response.status === 503 ? 50 : 15);
      }
    };
    const record = (ids: readonly string[], response: HttpResponse) => {
      const code = response.status === 204 ? undefined : response.json<{ code: string }>().code;
      const retryAfter = response.headers['retry-after'] as string | undefined;
      sent.push({
        ids,
        status: response.status,
        ...(code ? { code } : {}),
        ...(retryAfter ? { retryAfter } : {}),
      });
    };
    load = Promise.all(Array.from({ length: 10 }, client)).then(() => undefined);

    // The whole outage happens here, before any test: each test only reads what was observed, so
    // either one runs alone, or in any order, and sees the same run.
    await sleep(800);
    observed.readyBefore = (await service.request({ path: '/health/ready' })).status;
    const beforeOutage = sent.length;
    pgServer.stop();
    await sleep(1500);
    observed.readyDuring = (await service.request({ path: '/health/ready' })).status;
    observed.duringOutage = sent.slice(beforeOutage);
    observed.liveDuring = (await service.request({ path: '/health/live' })).status;
    pgServer.start();
    const restartedAt = sent.length;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !sent.slice(restartedAt).some((s) => s.status === 204)) await sleep(100);
    observed.afterRestart = sent.slice(restartedAt);
    observed.readyAfter = (await service.request({ path: '/health/ready' })).status;
    running = false;
    await load;
  });

  after(async () => {
    running = false;
    await load;
    await service?.close();
    pgServer.destroy();
  });

  it('answers 503-100 with Retry-After while the database is down, and recovers by itself', () => {
    assert.equal(observed.readyBefore, 200);
    assert.equal(observed.readyDuring, 503, 'not ready while the database is down');
    assert.ok(
      observed.duringOutage.some((s) => s.code === '503-100'),
      'requests during the outage get 503-100',
    );
    for (const s of observed.duringOutage.filter((s) => s.code === '503-100'))
      assert.equal(s.retryAfter, '5');
    assert.equal(observed.liveDuring, 200, 'the process lives on');
    assert.ok(
      observed.afterRestart.some((s) => s.status === 204),
      'picks succeed again once the database is back',
    );
    assert.equal(observed.readyAfter, 200);
  });

  it('never answered a 500 and wrote every pick whole or not at all', async () => {
    assert.ok(observed.duringOutage.length > 0, 'the run had an outage');
    assert.deepEqual(
      sent.filter((s) => s.status >= 500 && s.code !== '503-100'),
      [],
    );
    const codes = new Set(sent.map((s) => s.code ?? '204'));
    for (const code of codes)
      assert.ok(['204', '503-100', '409-100', '400-303'].includes(code), `unexpected ${code}`);
    const history = await service.database.db
      .selectFrom('activity_history')
      .select(['activity_id', 'pick_id'])
      .execute();
    // Group the history by the pick that wrote it: each group is one request's ids, whole.
    const groups = new Map<string, string[]>();
    for (const h of history) groups.set(h.pick_id, [...(groups.get(h.pick_id) ?? []), h.activity_id]);
    const requested = sent.map((s) => [...s.ids].sort().join(','));
    for (const ids of groups.values()) {
      assert.ok(
        requested.includes(ids.sort().join(',')),
        `history group ${ids.join(',')} is one whole request`,
      );
    }
    for (const s of sent.filter((x) => x.status === 204)) {
      for (const id of s.ids)
        assert.ok(
          history.some((h) => h.activity_id === id),
          `204 for ${id} has its history`,
        );
    }
    console.log(
      `# outage: ${sent.length} requests, ${sent.filter((s) => s.status === 204).length} × 204, ${sent.filter((s) => s.code === '503-100').length} × 503-100`,
    );
  });
});
