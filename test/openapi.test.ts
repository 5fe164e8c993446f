// The OpenAPI document is generated from the route schemas; the committed copy (docs/openapi.json)
// must match what the server serves, so a schema change shows up in review.
// UPDATE_SNAPSHOTS=1 npm test rewrites the copy.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './support/test-service.js';

const SNAPSHOT = new URL('../docs/openapi.json', import.meta.url);

describe('OpenAPI document', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite');
  });
  after(() => service.close());

  it('describes the pick and read operations as OpenAPI 3.1', async () => {
    const response = await service.request({ path: '/core/casemgr/v3/openapi.json' });
    assert.equal(response.status, 200);
    const document = response.json();
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.paths['/core/casemgr/v3/activity/pick'].patch.operationId, 'pickActivities');
    assert.equal(document.paths['/core/casemgr/v3/activity/{ids}'].get.operationId, 'getActivitiesByIds');
    const body =
      document.paths['/core/casemgr/v3/activity/pick'].patch.requestBody.content['application/json'].schema;
    assert.equal(body.properties.activity.maxItems, 75);
    assert.equal(body.additionalProperties, false);
  });

  it('matches the committed docs/openapi.json', async () => {
    const served = `${JSON.stringify((await service.request({ path: '/core/casemgr/v3/openapi.json' })).json(), null, 2)}\n`;
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(SNAPSHOT, served);
    assert.equal(
      served,
      readFileSync(SNAPSHOT, 'utf8'),
      'run UPDATE_SNAPSHOTS=1 npm test and commit docs/openapi.json',
    );
  });
});
