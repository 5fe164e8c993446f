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

/**
 * RFC 3339 instants are compared to the millisecond: extra fraction digits are cut, not rounded.
 * (Cut here, not left to Date.parse: V8 reads a fraction of ten or more digits wrongly.)
 */
export function toEpochMs(rfc3339: string): number {
  return Date.parse(rfc3339.replace(/(\.\d{3})\d+/, '$1'));
}

/** 400-105: each id may appear once; every repeated id is named once, in order of first appearance. */
export function buildPickRequest(
  rawItems: readonly { id: string | number; lastModified: string }[],
  unpin: boolean,
): Outcome<PickRequest> {
  const items = rawItems.map((raw) => ({
    id: canonicalId(raw.id),
    lastModifiedMs: toEpochMs(raw.lastModified),
  }));
  const occurrences = new Map<string, number>();
  for (const { id } of items) occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
  const repeated = [...occurrences].filter(([, count]) => count > 1).map(([id]) => id);
  if (repeated.length > 0) return fail({ kind: 'DuplicateIds', ids: repeated });
  return succeed({ items, unpin });
}
