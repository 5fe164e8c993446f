// The stream fan-out bench's receivers count deliveries by the `id:` lines they read from the raw
// socket bytes (bench/sse-id-reader.ts): a frame split anywhere between two reads must still count
// once, and an "id: " inside a data line must not count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readIds, type LineCursor } from '../bench/sse-id-reader.js';

const EVENTS = 40;
const frames = Array.from(
  { length: EVENTS },
  (_, i) => `id: ${i + 1}\nevent: activity_transition\ndata: {"id":"${i + 1}","note":"id: 999"}\n\n`,
);
const body = Buffer.from(`: heartbeat\n\n${frames.join('')}`);
const expected = Array.from({ length: EVENTS }, (_, i) => i + 1);

function idsReadInPiecesOf(size: number): number[] {
  const cursor: LineCursor = { newlineBefore: true, partial: undefined };
  const ids: number[] = [];
  for (let at = 0; at < body.length; at += size) {
    readIds(cursor, body.subarray(at, at + size), (id) => ids.push(id));
  }
  return ids;
}

test('every id line is read once, whatever the size of the reads', () => {
  for (let size = 1; size <= 120; size++)
    assert.deepEqual(idsReadInPiecesOf(size), expected, `reads of ${size}`);
  assert.deepEqual(idsReadInPiecesOf(body.length), expected);
});
