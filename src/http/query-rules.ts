// Query parameters (rule 3): names and values are case-sensitive; the route's querystring schema says
// which names exist (`properties`) and which values each allows (its `enum` or `const`).
import type { TSchema } from '@sinclair/typebox';
import { ApiError } from './error-catalog.js';

export type AllowedQuery = ReadonlyMap<string, readonly string[]>;

export function allowedQueryOf(schema: TSchema): AllowedQuery {
  const properties = (schema.properties ?? {}) as Record<string, { enum?: string[]; const?: string }>;
  return new Map(
    Object.entries(properties).map(([name, p]) => [name, p.enum ?? (p.const !== undefined ? [p.const] : [])]),
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
    // 400-102: another value, no value (`?unpin`), or the parameter repeated (an array).
    if (value !== undefined && (typeof value !== 'string' || !values.includes(value))) {
      throw new ApiError('400-102', { name }, [{ key: 'parameter', value: name }]);
    }
  }
}
