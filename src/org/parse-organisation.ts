// Reads an organisation file: JSON, then the schema, then references. All problems are collected so
// an administrator fixes the file in one pass; nothing is written unless there are none.
import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { findReferenceProblems, type OrganisationProblem } from './organisation-references.js';
import { OrganisationSchema, type OrganisationDocument } from './organisation-schema.js';
import { isRfc3339 } from './rfc3339.js';

if (!FormatRegistry.Has('rfc3339')) FormatRegistry.Set('rfc3339', isRfc3339);
const checker = TypeCompiler.Compile(OrganisationSchema);
const MAX_REPORTED = 50;

export type ParsedOrganisation =
  | { readonly ok: true; readonly document: OrganisationDocument }
  | { readonly ok: false; readonly problems: readonly OrganisationProblem[] };

/** `/users/3/homeDepartment` → `users[3].homeDepartment`. */
export function toJsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

export function parseOrganisation(text: string): ParsedOrganisation {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ path: '$', reason: `not JSON: ${(error as Error).message}` }] };
  }
  if (!checker.Check(value)) {
    const problems: OrganisationProblem[] = [];
    for (const error of checker.Errors(value)) {
      problems.push({ path: toJsonPath(error.path) || '$', reason: error.message });
      if (problems.length >= MAX_REPORTED) break;
    }
    return { ok: false, problems };
  }
  const problems = findReferenceProblems(value);
  return problems.length > 0
    ? { ok: false, problems: problems.slice(0, MAX_REPORTED) }
    : { ok: true, document: value };
}
