// The pick's happy path and its all-or-nothing promise, through a real server, on every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

for (const dialect of dialects) {
  describe(`pick over HTTP (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(() => service.close());

    it('assigns queued activities to the caller with 204 and moves lastModified forward', async () => {
      const before1 = await service.lastModified('100001');
      const response = await service.pick('bob', [{ id: '100001', lastModified: before1 }]);
      assert.equal(response.status, 204);
      assert.equal(response.text, '');
      const read = await service.request({
        path: '/core/casemgr/v3/activity/100001',
        headers: { authorization: `Bearer ${service.token('bob')}` },
      });
      assert.equal(read.status, 200);
      const [activity] = read.json().activity;
      assert.equal(activity.status.value, 'assigned');
      assert.deepEqual(activity.status.assigned.user.id, '1002');
      assert.ok(Date.parse(activity.lastModified) > Date.parse(before1));
    });

    it('changes nothing when one activity of the batch breaks a rule', async () => {
      const good = await service.lastModified('100002');
      const response = await service.pick('bob', [
        { id: '100002', lastModified: good },
        { id: '100016', lastModified: await service.lastModified('100016') },
      ]);
      assert.equal(response.status, 400);
      assert.equal(response.json().code, '400-302');
      assert.equal(await service.lastModified('100002'), good);
      const history = await service.history('100002');
      assert.equal(history.length, 0);
    });
  });
}
