// The live stream's read interval (STREAM_BATCH_MS) on a real SQLite outbox: a wake right after a read
// is put off, and the commits made meanwhile reach a subscriber together, in one batch, in id order —
// one socket write per stream instead of one per commit. The timers are node:test's mock timers, so
// the put-off read happens when the test moves the clock, not after a wait.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, mock } from 'node:test';
import { inspect } from 'node:util';
import { startEventStreams, type EventStreams } from '../src/events/event-streams.js';
import { DEFAULT_EVENT_STREAM } from '../src/events/stream-settings.js';
import { openDatabase, type OpenDatabase } from '../src/store/database.js';
import { appendEvents } from '../src/store/outbox.js';
import { createTestDatabase, type TestDatabase } from './support/test-databases.js';

const BATCH_MS = 60_000;
const log = { warn: (details: object, message: string) => assert.fail(`${message}: ${inspect(details)}`) };

describe('event hub read interval (SQLite)', () => {
  let testDatabase: TestDatabase;
  let database: OpenDatabase;
  let streams: EventStreams;
  before(async () => {
    testDatabase = await createTestDatabase('sqlite');
    database = await openDatabase(testDatabase.target);
  });
  after(async () => {
    mock.timers.reset();
    await streams?.close();
    await database?.close();
    await testDatabase?.drop();
  });

  /** Commits one event and tells the hub, as a write through the instance does. */
  async function commitOne(): Promise<void> {
    await database.db.transaction().execute((trx) =>
      appendEvents(trx, [
        {
          type: 'activity_transition',
          activityId: '100001',
          caseId: null,
          departmentId: '999',
          actor: '1001',
          requestId: randomUUID(),
          atMs: Date.now(),
          payload: { note: 'batching' },
        },
      ]),
    );
    streams.committed();
  }

  it('commits made while a read is put off reach the subscriber in one batch, in id order', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    // No poll in the time of the test: only the commits wake the hub.
    const settings = { ...DEFAULT_EVENT_STREAM, pollMs: 600_000, batchMs: BATCH_MS };
    streams = await startEventStreams(database, settings, log);
    const batches: number[][] = [];
    streams.hub.subscribe({ offer: (events) => batches.push(events.map((e) => e.id)) });
    const start = streams.hub.position;

    // The first wake reads at once.
    await commitOne();
    await streams.hub.idle();
    assert.deepEqual(batches, [[start + 1]]);

    // Three more within the interval: each wakes the hub, none reads.
    await commitOne();
    await commitOne();
    await commitOne();
    assert.deepEqual(batches, [[start + 1]]);

    // The interval passes: one read takes all three.
    mock.timers.tick(BATCH_MS);
    await streams.hub.idle();
    assert.deepEqual(batches, [[start + 1], [start + 2, start + 3, start + 4]]);
  });
});
