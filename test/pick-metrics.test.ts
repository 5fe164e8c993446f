// casemgr_activities_picked_total counts activities, not requests: read through /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const { dialects } = await dialectsUnderTest();

async function metric(service: TestService, name: string): Promise<number> {
  const text = (await service.request({ path: '/metrics' })).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} is missing from /metrics`);
  return Number(line.split(' ')[1]);
}

for (const dialect of dialects) {
  describe(`pick metrics (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(() => service.close());

    it('a pick of three activities adds three to casemgr_activities_picked_total; a refused one adds none', async () => {
      const before1 = await metric(service, 'casemgr_activities_picked_total');
      const ids = ['100003', '100004', '100005'];
      const response = await service.pick(
        'bob',
        await Promise.all(ids.map(async (id) => ({ id, lastModified: await service.lastModified(id) }))),
      );
      assert.equal(response.status, 204, response.text);
      assert.equal(await metric(service, 'casemgr_activities_picked_total'), before1 + 3);
      // Stale lastModified: 409, nothing assigned, nothing counted.
      const refused = await service.pick('bob', [{ id: '100006', lastModified: '2000-01-01T00:00:00.000Z' }]);
      assert.equal(refused.status, 409, refused.text);
      assert.equal(await metric(service, 'casemgr_activities_picked_total'), before1 + 3);
    });
  });
}
