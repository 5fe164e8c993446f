// What a validated activity search asks for: filters, who is asking (which departments they may
// see), order and window. Built by search-request.ts; executed by store/activity-search.ts; the
// property test replays it in memory.
import type { ActivityStatus } from './activity.js';

export const SEARCH_SORTS = ['id', 'case', 'created', 'department', 'dueDate', 'lastModified'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
export const SEARCH_ORDERS = ['asc', 'desc'] as const;
export type SearchOrder = (typeof SEARCH_ORDERS)[number];

/** The optional groups `$attribute` may add to an activity. */
export const OPTIONAL_ATTRIBUTES = [
  'created',
  'createdBy',
  'payload',
  'lastDepartment',
  'userLastWorked',
] as const;
export type OptionalAttribute = (typeof OPTIONAL_ATTRIBUTES)[number];

export const MAX_PAGE_SIZE = 75;
export const DEFAULT_PAGE_SIZE = 25;

/** Inclusive epoch-millisecond bounds; an absent end is open. */
export interface InstantRange {
  readonly fromMs?: number;
  readonly toMs?: number;
}

/** `open` = any status but completed; otherwise a status, and a substatus when one was given. */
export type StatusFilter =
  | { readonly kind: 'open' }
  | { readonly kind: 'exact'; readonly status: ActivityStatus; readonly substatus?: string };

export interface SearchFilters {
  readonly caseId?: string;
  readonly status?: StatusFilter;
  readonly type?: string;
  readonly mode?: string;
  readonly queueId?: string;
  readonly assignedUserId?: string;
  readonly assignedLoginName?: string;
  readonly customerId?: string;
  readonly departmentName?: string;
  readonly created?: InstantRange;
  readonly lastModified?: InstantRange;
}

/** Page style (`$pagenum`/`$pagesize`, also when neither paging nor range was sent) or range style. */
export type SearchWindow =
  | { readonly kind: 'page'; readonly pagenum: number; readonly pagesize: number }
  | { readonly kind: 'range'; readonly start: number; readonly size: number };

export interface SearchCriteria {
  readonly filters: SearchFilters;
  /** A user sees only these departments (home and foreign); undefined for a client application. */
  readonly visibleDepartmentIds?: readonly string[];
  readonly sort: SearchSort;
  readonly order: SearchOrder;
  readonly window: SearchWindow;
}

/** Rows to skip and to take for a window. */
export function windowBounds(window: SearchWindow): { offset: number; limit: number } {
  return window.kind === 'page'
    ? { offset: (window.pagenum - 1) * window.pagesize, limit: window.pagesize }
    : { offset: window.start - 1, limit: window.size };
}
