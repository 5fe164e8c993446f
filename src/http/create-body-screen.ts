// What the create routes judge before their JSON Schema runs, for the reason pick-body-screen.ts
// gives: Ajv collects every error (allErrors), so 7,000 unknown attributes or an array of 20,000
// items in 64 KiB would be thousands of errors to collect and map. One walk over the body against
// the schema finds the first unknown attribute in document order (400-147, which outranks every
// other body error) and the first array longer than its limit (400-152 naming the array); what is
// left for the schema has only known attributes and bounded arrays, so its errors are bounded too.
// The walk looks at each key and item once.
import type { TSchema } from '@sinclair/typebox';
import { attributeError, type ApiError } from './error-catalog.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface Finding {
  unknown?: string;
  tooLong?: string;
}

function walk(value: unknown, schema: TSchema, path: readonly string[], finding: Finding): void {
  if (finding.unknown !== undefined) return;
  if (schema.type === 'object' && isObject(value)) {
    const properties = (schema.properties ?? {}) as Record<string, TSchema>;
    for (const key of Object.keys(value)) {
      const property = properties[key];
      if (property === undefined) {
        finding.unknown = [...path, key].join('.');
        return;
      }
      walk(value[key], property, [...path, key], finding);
      if (finding.unknown !== undefined) return;
    }
  } else if (schema.type === 'array' && Array.isArray(value)) {
    const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
    if (value.length > max && finding.tooLong === undefined) finding.tooLong = path.join('.');
    for (const item of value) {
      walk(item, schema.items as TSchema, path, finding);
      if (finding.unknown !== undefined) return;
    }
  }
}

/** 400-147 or 400-152 (an over-long array) when the body earns one, else undefined. */
export function screenCreateBody(body: unknown, schema: TSchema): ApiError | undefined {
  // Not an object: the schema answers 152 naming `body` with a single error.
  if (!isObject(body)) return undefined;
  const finding: Finding = {};
  walk(body, schema, [], finding);
  if (finding.unknown !== undefined) return attributeError('400-147', finding.unknown);
  if (finding.tooLong !== undefined) return attributeError('400-152', finding.tooLong);
  return undefined;
}
