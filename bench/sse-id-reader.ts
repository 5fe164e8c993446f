// The least Server-Sent Events parsing the stream fan-out bench's receivers need: the value of each
// `id:` line (WHATWG HTML §9.2), read from the socket's bytes as they come — no UTF-8 decoding, no
// JSON.parse. A data line is JSON on one line, so an `id:` that starts a line is always the field.
const ID_FIELD = Buffer.from('id: ');
const NEWLINE = 0x0a;
const DIGIT_ZERO = 0x30;

/** Where one stream's reading stands between two socket reads. */
export interface LineCursor {
  /** Whether the previous read ended a line (the next byte starts one). */
  newlineBefore: boolean;
  /** An unfinished line the previous read ended with, if it may be an `id:` line. */
  partial: Buffer | undefined;
}

/**
 * Calls `found` with each `id:` field's value that starts a line in the read. The service writes
 * whole frames, so a read almost always ends a line and nothing is copied; a line split between
 * two reads is kept and read again with the next one.
 */
export function readIds(cursor: LineCursor, chunk: Buffer, found: (id: number) => void): void {
  const bytes = cursor.partial === undefined ? chunk : Buffer.concat([cursor.partial, chunk]);
  cursor.partial = undefined;
  let from = 0;
  for (;;) {
    const field = bytes.indexOf(ID_FIELD, from);
    if (field === -1) break;
    const startsLine = field === 0 ? cursor.newlineBefore : bytes[field - 1] === NEWLINE;
    let end = field + ID_FIELD.length;
    let id = 0;
    for (; end < bytes.length && bytes[end] !== NEWLINE; end++) id = id * 10 + bytes[end] - DIGIT_ZERO;
    if (end === bytes.length) break; // unfinished: the tail below keeps it
    if (startsLine) found(id);
    from = end;
  }
  const lastNewline = bytes.lastIndexOf(NEWLINE);
  const tail = bytes.subarray(lastNewline + 1);
  const mayBeIdLine =
    tail.length > 0 &&
    (lastNewline !== -1 || cursor.newlineBefore) &&
    ID_FIELD.subarray(0, Math.min(tail.length, ID_FIELD.length)).equals(
      tail.subarray(0, Math.min(tail.length, ID_FIELD.length)),
    );
  if (mayBeIdLine) {
    cursor.partial = Buffer.from(tail);
    cursor.newlineBefore = true;
  } else {
    cursor.newlineBefore = bytes[bytes.length - 1] === NEWLINE;
  }
}
