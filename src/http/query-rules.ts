// Query parameters (rule 3): names and values are case-sensitive; the route's querystring schema says
// which names exist (`properties`) and which values each allows (its `enum` or `const`; a property
// with neither takes any single value, which its route judges).
import type { TSchema } from '@sinclair/typebox';
import { ApiError } from './error-catalog.js';

/** Name → the values allowed, or undefined when any single value is (the route judges it). */
export type AllowedQuery = ReadonlyMap<string, readonly string[] | undefined>;

export function allowedQueryOf(schema: TSchema): AllowedQuery {
  const properties = (schema.properties ?? {}) as Record<string, { enum?: string[]; const?: string }>;
  return new Map(
    Object.entries(properties).map(([name, p]) => [
      name,
      p.enum ?? (p.const !== undefined ? [p.const] : undefined),
    ]),
  );
}

export function checkQuery(query: Record<string, unknown>, allowed: AllowedQuery): void {
  const unknown = Object.keys(query).filter((name) => !allowed.has(name));
  // 400-101 names every unsupported parameter.
  if (unknown.length > 0) {
    throw new ApiError(
      '400-101',
      { names: unknown },
      unknown.map((value) => ({ key: 'parameter', value })),
    );
  }
  for (const [name, values] of allowed) {
    const value = query[name];
    if (values === undefined) {
      // A free value given twice (an array) is not one value: 400-244 names the parameter.
      if (value !== undefined && typeof value !== 'string') {
        throw new ApiError('400-244', { name }, [{ key: 'parameter', value: name }]);
      }
      continue;
    }
    // 400-102: another value, no value (`?unpin`), or the parameter repeated (an array).
    if (value !== undefined && (typeof value !== 'string' || !values.includes(value))) {
      throw new ApiError('400-102', { name, values: values.join(',') }, [{ key: 'parameter', value: name }]);
    }
  }
}
