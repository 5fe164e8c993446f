// The eGain error body a contract test expects: status, JSON, code, the 255-character and 30-detail
// limits, no userMessage, and — when given — the exact message and one activityId detail per
// offending id (the first 30), each named in the message unless idsInMessage is false.
import assert from 'node:assert/strict';
import type { HttpResponse } from './test-service.js';

export interface ErrorBody {
  code: string;
  developerMessage: string;
  details?: { key: string; value: string }[];
  userMessage?: string;
}

export function expectError(
  response: HttpResponse,
  status: number,
  code: string,
  expected: { message?: string; ids?: readonly string[]; idsInMessage?: boolean } = {},
): ErrorBody {
  assert.equal(response.status, status, response.text);
  assert.match(String(response.headers['content-type']), /^application\/json\b/, response.text);
  const body = response.json<ErrorBody>();
  assert.equal(body.code, code, response.text);
  assert.equal(typeof body.developerMessage, 'string');
  assert.ok(body.developerMessage.length <= 255, body.developerMessage);
  if (expected.message !== undefined) assert.equal(body.developerMessage, expected.message);
  if (expected.ids !== undefined) {
    assert.deepEqual(
      body.details,
      expected.ids.slice(0, 30).map((value) => ({ key: 'activityId', value })),
    );
    if (expected.idsInMessage !== false) {
      for (const id of expected.ids) assert.ok(body.developerMessage.includes(id), body.developerMessage);
    }
  }
  // Callers send no X-egain-error-message here; the tests that do read the body themselves.
  assert.equal(body.userMessage, undefined, 'userMessage only with X-egain-error-message: yes');
  return body;
}
