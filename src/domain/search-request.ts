// Judges a search's query parameters (their names were already checked against the caller's list,
// 400-101) and turns them into SearchCriteria. The order of the checks is the documented one
// (docs/api/search-activities.md): 400-120, 400-124, 400-244 (parameters in the order listed in
// VALUE_CHECKS), 400-116, 400-614, 400-245. Scope and action come after, in the route.
import { ACTIVITY_STATUSES, type ActivityStatus } from './activity.js';
import { toEpochMs } from './pick-request.js';
import { isRfc3339 } from '../org/rfc3339.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  OPTIONAL_ATTRIBUTES,
  type InstantRange,
  type OptionalAttribute,
  type SearchFilters,
  type SearchOrder,
  type SearchSort,
  type SearchWindow,
  type StatusFilter,
} from './search-criteria.js';

export type SearchQuery = Readonly<Record<string, string | undefined>>;

export type SearchRefusal =
  | { readonly code: '400-120' }
  | { readonly code: '400-124' }
  | { readonly code: '400-244'; readonly name: string }
  | { readonly code: '400-116'; readonly value: string }
  | { readonly code: '400-614' }
  | { readonly code: '400-245'; readonly names: readonly string[] };

export interface ParsedSearch {
  readonly filters: SearchFilters;
  readonly sort: SearchSort;
  readonly order: SearchOrder;
  readonly window: SearchWindow;
  readonly attributes: ReadonlySet<OptionalAttribute>;
}

export type SearchParse =
  | { readonly ok: true; readonly value: ParsedSearch }
  | { readonly ok: false; readonly refusal: SearchRefusal };

const ID = /^[1-9][0-9]{0,17}$/;
/** Positive integers up to 2^31 − 1: a larger page or range start is no real request. */
const POSITIVE = /^[1-9][0-9]{0,9}$/;
const MAX_POSITION = 2 ** 31 - 1;
const STATUS = /^([a-z_]{1,64})(?::([a-z_]{1,64}))?$/;
const RANGE = /^\[([^,[\]]*),([^,[\]]*)\]$/;
const MAX_NAME = 255;

const FILTER_NAMES = [
  'caseID',
  'status',
  'mode',
  'queueID',
  'assignedTo',
  'assignedUserName',
  'customerID',
  'department',
  'created',
  'createdDate',
  'lastModified',
  'lastModifiedDate',
] as const;

/** The parameters a client application must send: caseID, or all of type, status and department. */
export const CLIENT_REQUIRED = ['caseID', 'type', 'status', 'department'] as const;

const positive = (raw: string) => POSITIVE.test(raw) && Number(raw) <= MAX_POSITION;
const size = (raw: string) => POSITIVE.test(raw) && Number(raw) <= MAX_PAGE_SIZE;
const name = (raw: string) => raw.length > 0 && raw.length <= MAX_NAME;

function parseStatus(raw: string): StatusFilter | undefined {
  const m = STATUS.exec(raw);
  if (!m) return undefined;
  const [, status, substatus] = m;
  if (status === 'open') return substatus === undefined ? { kind: 'open' } : undefined;
  if (!(ACTIVITY_STATUSES as readonly string[]).includes(status)) return undefined;
  return {
    kind: 'exact',
    status: status as ActivityStatus,
    ...(substatus !== undefined ? { substatus } : {}),
  };
}

/** `[start,end]`, inclusive, at least one end, start not after end. */
export function parseRange(raw: string): InstantRange | undefined {
  const m = RANGE.exec(raw);
  if (!m) return undefined;
  const [from, to] = [m[1], m[2]];
  if (from === '' && to === '') return undefined;
  if ((from !== '' && !isRfc3339(from)) || (to !== '' && !isRfc3339(to))) return undefined;
  const range: InstantRange = {
    ...(from !== '' ? { fromMs: toEpochMs(from) } : {}),
    ...(to !== '' ? { toMs: toEpochMs(to) } : {}),
  };
  if (range.fromMs !== undefined && range.toMs !== undefined && range.fromMs > range.toMs) return undefined;
  return range;
}

/** `created` and `createdDate` (or the lastModified pair) both sent: both must hold. */
function intersect(a: InstantRange | undefined, b: InstantRange | undefined): InstantRange | undefined {
  if (!a || !b) return a ?? b;
  const fromMs = Math.max(a.fromMs ?? -Infinity, b.fromMs ?? -Infinity);
  const toMs = Math.min(a.toMs ?? Infinity, b.toMs ?? Infinity);
  return {
    ...(Number.isFinite(fromMs) ? { fromMs } : {}),
    ...(Number.isFinite(toMs) ? { toMs } : {}),
  };
}

/** Each free-valued parameter and what makes its value well formed (400-244 otherwise). */
const VALUE_CHECKS: readonly (readonly [string, (raw: string) => boolean])[] = [
  ['$pagenum', positive],
  ['$pagesize', size],
  ['$rangestart', positive],
  ['$rangesize', size],
  ['caseID', (raw) => ID.test(raw)],
  ['status', (raw) => parseStatus(raw) !== undefined],
  ['type', name],
  ['queueID', (raw) => ID.test(raw)],
  ['assignedTo', (raw) => ID.test(raw)],
  ['assignedUserName', name],
  ['customerID', (raw) => ID.test(raw)],
  ['department', name],
  ['created', (raw) => parseRange(raw) !== undefined],
  ['createdDate', (raw) => parseRange(raw) !== undefined],
  ['lastModified', (raw) => parseRange(raw) !== undefined],
  ['lastModifiedDate', (raw) => parseRange(raw) !== undefined],
];

/** `$attribute`: `all`, or a comma list of the optional groups (400-116 names the first other value). */
export function parseAttributes(
  raw: string | undefined,
): { ok: true; value: ReadonlySet<OptionalAttribute> } | { ok: false; value: string } {
  if (raw === undefined) return { ok: true, value: new Set() };
  if (raw === 'all') return { ok: true, value: new Set(OPTIONAL_ATTRIBUTES) };
  const chosen = new Set<OptionalAttribute>();
  for (const item of raw.split(',')) {
    if (!(OPTIONAL_ATTRIBUTES as readonly string[]).includes(item)) return { ok: false, value: item };
    chosen.add(item as OptionalAttribute);
  }
  return { ok: true, value: chosen };
}

export function parseSearch(query: SearchQuery, caller: 'user' | 'client'): SearchParse {
  const refuse = (refusal: SearchRefusal): SearchParse => ({ ok: false, refusal });
  const has = (n: string) => query[n] !== undefined;

  const paging = has('$pagenum') || has('$pagesize');
  const ranging = has('$rangestart') || has('$rangesize');
  if (paging && ranging) return refuse({ code: '400-120' });
  if (has('$order') && !has('$sort')) return refuse({ code: '400-124' });
  for (const [n, wellFormed] of VALUE_CHECKS) {
    const raw = query[n];
    if (raw !== undefined && !wellFormed(raw)) return refuse({ code: '400-244', name: n });
  }
  const attributes = parseAttributes(query.$attribute);
  if (!attributes.ok) return refuse({ code: '400-116', value: attributes.value });
  if (has('type') && !FILTER_NAMES.some(has)) return refuse({ code: '400-614' });
  if (caller === 'client' && !has('caseID') && !(has('type') && has('status') && has('department'))) {
    return refuse({ code: '400-245', names: CLIENT_REQUIRED });
  }

  const range = (n: string) => (has(n) ? parseRange(query[n]!) : undefined);
  const created = intersect(range('created'), range('createdDate'));
  const lastModified = intersect(range('lastModified'), range('lastModifiedDate'));
  const filters: SearchFilters = {
    ...(has('caseID') ? { caseId: query.caseID! } : {}),
    ...(has('status') ? { status: parseStatus(query.status!)! } : {}),
    ...(has('type') ? { type: query.type! } : {}),
    ...(has('mode') ? { mode: query.mode! } : {}),
    ...(has('queueID') ? { queueId: query.queueID! } : {}),
    ...(has('assignedTo') ? { assignedUserId: query.assignedTo! } : {}),
    ...(has('assignedUserName') ? { assignedLoginName: query.assignedUserName! } : {}),
    ...(has('customerID') ? { customerId: query.customerID! } : {}),
    ...(has('department') ? { departmentName: query.department! } : {}),
    ...(created ? { created } : {}),
    ...(lastModified ? { lastModified } : {}),
  };
  const window: SearchWindow = ranging
    ? {
        kind: 'range',
        start: Number(query.$rangestart ?? 1),
        size: Number(query.$rangesize ?? DEFAULT_PAGE_SIZE),
      }
    : {
        kind: 'page',
        pagenum: Number(query.$pagenum ?? 1),
        pagesize: Number(query.$pagesize ?? DEFAULT_PAGE_SIZE),
      };
  return {
    ok: true,
    value: {
      filters,
      sort: (query.$sort as SearchSort | undefined) ?? 'id',
      order: (query.$order as SearchOrder | undefined) ?? 'asc',
      window,
      attributes: attributes.value,
    },
  };
}
