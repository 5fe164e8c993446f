// A validated pick request, as the rules receive it. The HTTP layer has already checked the body's
// shape against the schema; what is left here is meaning: ids in canonical form and duplicates.
import { fail, succeed, type Outcome } from './failures.js';

export const MAX_ACTIVITIES_PER_PICK = 75;

export interface PickItem {
  readonly id: string;
  /** The client's lastModified, in epoch milliseconds. */
  readonly lastModifiedMs: number;
}

export interface PickRequest {
  readonly items: readonly PickItem[];
  /** `?unpin=yes` was sent. */
  readonly unpin: boolean;
}

/** `6001` and `"6001"` are the same id (contract: a JSON integer is accepted and means the same id). */
export function canonicalId(raw: string | number): string {
  return typeof raw === 'number' ? String(raw) : raw;
}

/** RFC 3339 instants are compared to the millisecond: extra fraction digits are cut, not rounded. */
export function toEpochMs(rfc3339: string): number {
  const truncated = rfc3339.replace(/(\.\d{3})\d+/, '$1');
  return Date.parse(truncated);
}

/** 400-105: each id may appear once; every repeated id is named once, in document order. */
export function buildPickRequest(
  rawItems: readonly { id: string | number; lastModified: string }[],
  unpin: boolean,
): Outcome<PickRequest> {
  const seen = new Set<string>();
  const repeated: string[] = [];
  const items = rawItems.map((raw) => {
    const id = canonicalId(raw.id);
    if (seen.has(id) && !repeated.includes(id)) repeated.push(id);
    seen.add(id);
    return { id, lastModifiedMs: toEpochMs(raw.lastModified) };
  });
  if (repeated.length > 0) return fail({ kind: 'DuplicateIds', ids: repeated });
  return succeed({ items, unpin });
}
