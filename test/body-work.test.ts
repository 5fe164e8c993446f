// A pick body's cost is bounded by the contract's limits, not by what a client packs into 64 KiB
// (issue 9 §3, OWASP API4): thousands of unknown attributes or of items must not make the schema
// validator collect thousands of errors, nor the error mapping walk the body once per error. Work is
// counted (schema errors in the log line of the rejection; key enumerations of the body), never timed.
// Rule 4 is judged before the store is touched, so the embedded store is enough.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { bodyErrorFromSchema, type SchemaError } from '../src/http/body-errors.js';
import { expectError } from './support/expect-error.js';
import { startTestService, type TestService } from './support/test-service.js';

const ANY_INSTANT = '2026-11-01T12:00:00.000Z';

/** More schema errors than this for one body means the validator walked what the limits forbid. */
const ERRORS_BOUND = 75 * 8;

interface LogLine {
  readonly msg?: string;
  readonly reqId?: string;
  readonly code?: string;
  readonly schemaErrors?: number;
}

describe('the work one pick body can cause', () => {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', { logger: { level: 'info', stream } });
  });
  after(() => service.close());

  async function send(body: string) {
    const response = await service.request({
      method: 'PATCH',
      path: '/core/casemgr/v3/activity/pick',
      headers: { authorization: `Bearer ${service.token('alice')}`, 'content-type': 'application/json' },
      body,
    });
    const requestId = String(response.headers['x-request-id']);
    const rejection = lines.find((l) => l.reqId === requestId && l.msg === 'request rejected');
    assert.ok(rejection, `no rejection logged for ${requestId}`);
    return { response, schemaErrors: rejection.schemaErrors ?? 0 };
  }

  it('7,000 unknown attributes: 400-147 naming the first, without an error per attribute', async () => {
    const attributes = Array.from({ length: 7_000 }, (_, i) => `"a${i.toString(36)}":0`).join(',');
    const body = `{${attributes},"activity":[{"id":"100001","lastModified":"${ANY_INSTANT}"}]}`;
    assert.ok(body.length < 64 * 1024);
    const { response, schemaErrors } = await send(body);
    expectError(response, 400, '400-147', {
      message: "Unsupported attribute is present in request body: 'a0'.",
    });
    assert.ok(schemaErrors <= ERRORS_BOUND, `${schemaErrors} schema errors collected`);
  });

  it('unknown attributes in every item: 400-147 naming the first item attribute, bounded', async () => {
    const item = `{"id":"100001",${Array.from({ length: 100 }, (_, i) => `"b${i}":1`).join(',')}}`;
    const { response, schemaErrors } = await send(`{"activity":[${Array(70).fill(item).join(',')}]}`);
    expectError(response, 400, '400-147', {
      message: "Unsupported attribute is present in request body: 'activity.b0'.",
    });
    assert.ok(schemaErrors <= ERRORS_BOUND, `${schemaErrors} schema errors collected`);
  });

  it('20,000 empty items: 400-104 before any item is judged', async () => {
    const { response, schemaErrors } = await send(`{"activity":[${Array(20_000).fill('{}').join(',')}]}`);
    expectError(response, 400, '400-104');
    assert.equal(schemaErrors, 0, 'the item limit is judged before the schema runs');
  });

  it('76 items with unknown attributes: still 400-104 (104 before 147)', async () => {
    const items = Array.from({ length: 76 }, (_, i) => ({ id: String(i + 1), color: 'red' }));
    const { response } = await send(JSON.stringify({ color: 'red', activity: items }));
    expectError(response, 400, '400-104');
  });

  it('a body that is not an object stays 400-152 naming body, even with many items', async () => {
    const { response } = await send(JSON.stringify(Array.from({ length: 100 }, () => ({}))));
    expectError(response, 400, '400-152', { message: undefined });
  });
});

describe('mapping schema errors to the contract answer', () => {
  it('enumerates each object of the body at most once, however many errors name it', () => {
    const count = 2_000;
    const target: Record<string, unknown> = { activity: [] };
    for (let i = 0; i < count; i++) target[`a${i}`] = 1;
    let enumerations = 0;
    const body = new Proxy(target, {
      ownKeys(object) {
        enumerations++;
        return Reflect.ownKeys(object);
      },
    });
    const errors: SchemaError[] = Array.from({ length: count }, (_, i) => ({
      keyword: 'additionalProperties',
      instancePath: '',
      params: { additionalProperty: `a${count - 1 - i}` },
    }));
    const error = bodyErrorFromSchema(errors, body);
    assert.equal(error.code, '400-147');
    assert.deepEqual(error.details, [{ key: 'attribute', value: 'a0' }]);
    assert.ok(enumerations <= 1, `the body's keys were enumerated ${enumerations} times`);
  });
});
