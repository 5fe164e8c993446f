// The two answers of rule 4 whose cost would grow with the body, given before the JSON Schema runs
// (issue 9 §3, OWASP API4). Ajv collects every error (allErrors, so that the contract's precedence can
// be applied to them): 20,000 items or 7,000 unknown attributes in 64 KiB would be 40,000 or 7,000
// errors to collect and map. Both answers outrank every other body error (104, then 147, except that
// a body that is not an object is 152), so giving them here changes no answer; what remains for the
// schema is at most 75 items with known attributes only, whose errors are bounded by a constant.
import { MAX_ACTIVITIES_PER_PICK } from '../domain/pick-request.js';
import { attributeError, tooManyActivities, type ApiError } from './error-catalog.js';
import { PickBody } from './schemas/pick.schema.js';

const BODY_ATTRIBUTES = new Set(Object.keys(PickBody.properties));
const ITEM_ATTRIBUTES = new Set(Object.keys(PickBody.properties.activity.items.properties));

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The first unknown attribute in document order, as body-errors.ts orders the schema's 147 errors:
 * the body's keys in Object.keys order, descending into `activity` where it stands. One look at each
 * key at most, and the walk stops at the first unknown one.
 */
function firstUnknownAttribute(body: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(body)) {
    if (!BODY_ATTRIBUTES.has(key)) return key;
    const activity = body[key];
    if (!Array.isArray(activity)) continue;
    for (const item of activity as unknown[]) {
      if (!isObject(item)) continue;
      for (const itemKey of Object.keys(item)) {
        if (!ITEM_ATTRIBUTES.has(itemKey)) return `${key}.${itemKey}`;
      }
    }
  }
  return undefined;
}

/** 400-104 or 400-147 when the body earns one, else undefined (the schema judges the rest). */
export function screenPickBody(body: unknown): ApiError | undefined {
  // Not an object: the schema answers 152 naming `body` with a single error.
  if (!isObject(body)) return undefined;
  const activity = body.activity;
  // The item limit first: no item is looked at when there are too many of them.
  if (Array.isArray(activity) && activity.length > MAX_ACTIVITIES_PER_PICK) return tooManyActivities();
  const unknown = firstUnknownAttribute(body);
  return unknown === undefined ? undefined : attributeError('400-147', unknown);
}
