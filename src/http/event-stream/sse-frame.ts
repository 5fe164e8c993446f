// Server-Sent Events framing (WHATWG HTML §9.2): one event is `id:`, `event:` and `data:` lines and
// a blank line. The data is eGain's callback envelope around one message, the same body a webhook
// receives, so one client parser serves both.
import type { StoredEvent } from '../../store/event-feed.js';

/** The payloadVersion of the envelope (the webhooks send the same). */
export const STREAM_PAYLOAD_VERSION = 'v3';

/** `{"metadata":{…},"messages":[{"id","type","payload"}]}`, built around the stored payload text. */
export function envelopeOf(event: StoredEvent): string {
  return (
    `{"metadata":{"notificationId":"evt_${event.id}","payloadVersion":"${STREAM_PAYLOAD_VERSION}"},` +
    `"messages":[{"id":"${event.id}","type":${JSON.stringify(event.type)},"payload":${event.payloadJson}}]}`
  );
}

/** A field's value may not hold a line break: each line of it becomes its own `data:` line. */
function dataLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
}

const frames = new WeakMap<StoredEvent, string>();

/** The event's frame, built once however many streams send it. */
export function frameOf(event: StoredEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `id: ${event.id}\nevent: ${event.type}\n${dataLines(envelopeOf(event))}\n`;
    frames.set(event, frame);
  }
  return frame;
}

const frameBytes = new WeakMap<StoredEvent, Buffer>();
const batchBytes = new WeakMap<readonly StoredEvent[], Buffer>();

function frameBytesOf(event: StoredEvent): Buffer {
  let bytes = frameBytes.get(event);
  if (bytes === undefined) {
    bytes = Buffer.from(frameOf(event));
    frameBytes.set(event, bytes);
  }
  return bytes;
}

/**
 * The frames of `selected`, the events of one hub batch a stream sends, as bytes: one Buffer for
 * every stream that sends the whole batch (encoded once, written to each socket as it is), the
 * event's own for a stream that sends one, a copy of the encoded frames for the others.
 */
export function framesOf(batch: readonly StoredEvent[], selected: readonly StoredEvent[]): Buffer {
  if (selected.length === 1) return frameBytesOf(selected[0]);
  if (selected.length < batch.length) return Buffer.concat(selected.map(frameBytesOf));
  let bytes = batchBytes.get(batch);
  if (bytes === undefined) {
    bytes = Buffer.concat(batch.map(frameBytesOf));
    batchBytes.set(batch, bytes);
  }
  return bytes;
}

/**
 * Sent instead of a replay the stream cannot give: the client's Last-Event-ID is older than the
 * resume window, or names an event the database does not hold. Its id is where the stream goes on
 * from, so a browser's EventSource resumes from there next time.
 */
export function resetFrame(position: number, reason: 'too-old' | 'unknown-id'): string {
  return `id: ${position}\nevent: reset\n${dataLines(JSON.stringify({ reason, lastEventId: String(position) }))}\n`;
}

/** A comment line: ignored by clients, it keeps proxies from closing an idle connection. */
export const HEARTBEAT_FRAME = ': heartbeat\n\n';
