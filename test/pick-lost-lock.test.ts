// Defense in depth: the pick's UPDATE matches every row on the lastModified the rules judged. Should the
// row lock ever fail to hold, a row changed between the locked read and the write is not overwritten:
// the pick answers 409-100 naming it and writes nothing. A seam in the store changes the row at exactly
// that moment, inside the pick's own transaction (the only writer the lock would let through).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const { dialects } = await dialectsUnderTest();

for (const dialect of dialects) {
  describe(`a row changed after it was judged (${dialect})`, () => {
    let service: TestService;
    let changeBeforeWrite: string | undefined;
    before(async () => {
      service = await startTestService(dialect, {
        storeSeams: {
          beforePickWrite: async (trx) => {
            if (changeBeforeWrite === undefined) return;
            // Another writer's change, as if it had slipped past the lock: assigned elsewhere.
            await trx
              .updateTable('activities')
              .set({ last_modified_ms: 1, assigned_user_id: '1001', last_action: 'intruder' })
              .where('id', '=', changeBeforeWrite)
              .execute();
          },
        },
      });
    });
    after(() => service.close());

    it('refuses the whole pick with 409-100 naming the row, and writes nothing', async () => {
      const before1 = await service.lastModified('100001');
      const before20 = await service.lastModified('100020');
      changeBeforeWrite = '100020';
      const response = await service.pick('bob', [
        { id: '100001', lastModified: before1 },
        { id: '100020', lastModified: before20 },
      ]);
      changeBeforeWrite = undefined;
      assert.equal(response.status, 409, response.text);
      const body = response.json<{ code: string; details: { key: string; value: string }[] }>();
      assert.equal(body.code, '409-100');
      assert.deepEqual(body.details, [{ key: 'activityId', value: '100020' }]);
      // Rolled back whole: the other activity, the intruder's change and the history.
      assert.equal(await service.lastModified('100001'), before1);
      assert.equal(await service.lastModified('100020'), before20);
      assert.deepEqual(await service.history('100001'), []);
      assert.deepEqual(await service.history('100020'), []);
    });

    it('picks as usual when nothing changed in between', async () => {
      const response = await service.pick('bob', [
        { id: '100002', lastModified: await service.lastModified('100002') },
      ]);
      assert.equal(response.status, 204, response.text);
    });
  });
}
