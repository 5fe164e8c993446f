// Activity search: one Kysely builder for both stores; every value is bound. One statement per
// page: the ids of the window (ordered and cut in the database, index-only on the search indexes of
// migration 0003), with the count of all matches when the answer needs it (and the organisation
// version when the caller's facts need checking) as scalar subqueries. The activities
// themselves are read by id afterwards (ActivityStore.findViews), so the window's OFFSET skips index
// entries, never table rows. The window's SQL is built with Kysely once per shape
// (query-templates.ts) but sent unnamed: PostgreSQL plans it with its values on every call, which a
// window needs (docs/search-query-plans.md, "Two statements, named, on PostgreSQL").
import { sql, type Expression, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { SearchCriteria, SearchFilters, SearchOrder, SearchSort } from '../domain/search-criteria.js';
import { windowBounds } from '../domain/search-criteria.js';
import { QueryTemplates, type Slot } from './query-templates.js';
import type { Database } from './schema.js';
import { versionQuery } from './user-store.js';

type SearchDb = Database & { a: Database['activities'] };
type Query<O> = SelectQueryBuilder<SearchDb, 'a', O>;

/** Numeric order of canonical digit strings: shorter first, then by text. */
const numeric = (column: 'a.id' | 'a.case_id' | 'a.department_id') => [
  sql`length(${sql.ref(column)})`,
  sql.ref(column),
];
/** Rows without the value come last in either direction (SQLite and PostgreSQL disagree by default). */
const nullsLast = (column: 'a.case_id' | 'a.due_date_ms') =>
  sql`case when ${sql.ref(column)} is null then 1 else 0 end`;

/** The sort keys, each followed by the id tiebreak, so that every order is total and stable. */
function sortKeys(sort: SearchSort): { keys: Expression<unknown>[]; directionless: number } {
  switch (sort) {
    case 'id':
      return { keys: numeric('a.id'), directionless: 0 };
    case 'case':
      return {
        keys: [nullsLast('a.case_id'), ...numeric('a.case_id'), ...numeric('a.id')],
        directionless: 1,
      };
    case 'created':
      return { keys: [sql.ref('a.created_ms'), ...numeric('a.id')], directionless: 0 };
    case 'department':
      return { keys: [...numeric('a.department_id'), ...numeric('a.id')], directionless: 0 };
    case 'dueDate':
      return {
        keys: [nullsLast('a.due_date_ms'), sql.ref('a.due_date_ms'), ...numeric('a.id')],
        directionless: 1,
      };
    case 'lastModified':
      return { keys: [sql.ref('a.last_modified_ms'), ...numeric('a.id')], directionless: 0 };
  }
}

export function applyOrder<O>(query: Query<O>, sort: SearchSort, order: SearchOrder): Query<O> {
  const { keys, directionless } = sortKeys(sort);
  return keys.reduce<Query<O>>(
    (q, key, index) => q.orderBy(key, index < directionless ? 'asc' : order),
    query,
  );
}

/** Criteria whose names (a login, a department name) were turned into ids. */
export interface ResolvedCriteria extends SearchCriteria {
  readonly filters: Omit<SearchFilters, 'assignedLoginName' | 'departmentName'> & {
    readonly departmentIds?: readonly string[];
    // Never names: criteria not yet resolved must not pass for resolved ones.
    readonly assignedLoginName?: never;
    readonly departmentName?: never;
  };
}

/** What selects the matches: the filters and the departments the searcher sees. */
type Matching = Pick<ResolvedCriteria, 'filters' | 'visibleDepartmentIds'>;

export function applyFilters<O>(query: Query<O>, criteria: Matching): Query<O> {
  const f = criteria.filters;
  let q = query;
  if (criteria.visibleDepartmentIds !== undefined) {
    q = q.where('a.department_id', 'in', [...criteria.visibleDepartmentIds]);
  }
  if (f.caseId !== undefined) q = q.where('a.case_id', '=', f.caseId);
  if (f.queueId !== undefined) q = q.where('a.queue_id', '=', f.queueId);
  if (f.assignedUserId !== undefined) q = q.where('a.assigned_user_id', '=', f.assignedUserId);
  if (f.customerId !== undefined) q = q.where('a.customer_id', '=', f.customerId);
  if (f.status?.kind === 'open') q = q.where('a.status', '<>', 'completed');
  if (f.status?.kind === 'exact') {
    q = q.where('a.status', '=', f.status.status);
    if (f.status.substatus !== undefined) q = q.where('a.substatus', '=', f.status.substatus);
  }
  if (f.type !== undefined) q = q.where('a.type', '=', f.type);
  if (f.mode !== undefined) q = q.where('a.mode', '=', f.mode);
  if (f.departmentIds !== undefined) q = q.where('a.department_id', 'in', [...f.departmentIds]);
  for (const [column, range] of [
    ['a.created_ms', f.created],
    ['a.last_modified_ms', f.lastModified],
  ] as const) {
    if (range?.fromMs !== undefined) q = q.where(column, '>=', range.fromMs);
    if (range?.toMs !== undefined) q = q.where(column, '<=', range.toMs);
  }
  return q;
}

export interface SearchPage {
  /** The window's activity ids, in order. */
  readonly ids: string[];
  /** Every match, when asked for and the window was not empty. */
  readonly count?: number;
  /** The organisation version (migration 0010), when asked for: read by the window's statement. */
  readonly organisationVersion?: number;
}

type Bounds = ReturnType<typeof windowBounds>;

/** What the window's statement depends on besides its bound values. */
interface Asked {
  readonly withCount: boolean;
  readonly readVersion: boolean;
}

/** The part of the criteria the statement binds values from: filters, visibility and bounds. */
interface Bound {
  readonly criteria: Omit<ResolvedCriteria, 'window' | 'sort' | 'order'>;
  readonly bounds: Bounds;
}

/** Keys whose values change the SQL itself (a status filter's kind) rather than a bound value. */
const STRUCTURAL = new Set(['kind']);

/** A copy of `node` with every value that the statement binds replaced by `leaf(value)`. */
function mapBound(node: unknown, leaf: (value: unknown) => unknown): unknown {
  if (node === undefined) return undefined; // an absent filter, not a value
  if (Array.isArray(node)) return node.map((item) => mapBound(item, leaf));
  if (node === null || typeof node !== 'object') return leaf(node);
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, STRUCTURAL.has(key) ? value : mapBound(value, leaf)]),
  );
}

export class ActivitySearch {
  private readonly templates = new QueryTemplates();

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * A login name and a department name become ids first (one small lookup each), so that the window
   * query compares ids by equality: the planner then walks the search index in order instead of
   * sorting every match (PostgreSQL cannot tell how many departments a subquery by name returns).
   * Undefined: a name matches nobody, so nothing matches.
   */
  async resolve(criteria: SearchCriteria): Promise<ResolvedCriteria | undefined> {
    const { assignedLoginName, departmentName, ...filters } = criteria.filters;
    let assignedUserId = filters.assignedUserId;
    if (assignedLoginName !== undefined) {
      const user = await this.db
        .selectFrom('users')
        .select('id')
        .where('login_name', '=', assignedLoginName)
        .executeTakeFirst();
      if (!user || (assignedUserId !== undefined && assignedUserId !== user.id)) return undefined;
      assignedUserId = user.id;
    }
    let departmentIds: string[] | undefined;
    if (departmentName !== undefined) {
      departmentIds = (
        await this.db.selectFrom('departments').select('id').where('name', '=', departmentName).execute()
      ).map((d) => d.id);
      if (departmentIds.length === 0) return undefined;
    }
    return {
      ...criteria,
      filters: {
        ...filters,
        ...(assignedUserId !== undefined ? { assignedUserId } : {}),
        ...(departmentIds !== undefined ? { departmentIds } : {}),
      },
    };
  }

  /** The window's ids, ordered and cut: the subquery whose plans docs/search-query-plans.md shows. */
  idsQuery(criteria: Omit<ResolvedCriteria, 'window'>, bounds: Bounds) {
    const base = applyFilters(this.db.selectFrom('activities as a').select('a.id'), criteria);
    return applyOrder(base, criteria.sort, criteria.order).limit(bounds.limit).offset(bounds.offset);
  }

  countQuery(criteria: Matching) {
    return applyFilters(
      this.db.selectFrom('activities as a').select((eb) => eb.fn.countAll<number | string>().as('n')),
      criteria,
    );
  }

  /**
   * The window, and the count of all matches when `withCount`. An empty window needs no count (the
   * answer is 204), and a window that ends before its size tells the count without a second query.
   */
  async page(asked: SearchCriteria, withCount: boolean, readVersion = false): Promise<SearchPage> {
    const criteria = await this.resolve(asked);
    if (criteria === undefined) return { ids: [], ...(await this.versionAlone(readVersion)) };
    const { rows } = await this.db.executeQuery(this.windowStatement(criteria, { withCount, readVersion }));
    const ids = rows.map((row) => row.id);
    const first = rows[0];
    const seen =
      first?.organisation_version != null
        ? { organisationVersion: Number(first.organisation_version) }
        : await this.versionAlone(readVersion);
    if (!withCount || first === undefined) return { ids, ...seen };
    const { offset, limit } = windowBounds(criteria.window);
    // A window shorter than its size ends the matches: its count is exact without the subquery's.
    const count = ids.length < limit ? offset + ids.length : Number(first.total);
    return { ids, count, ...seen };
  }

  /**
   * The window's statement with the values of these criteria: its SQL is built with Kysely once per
   * shape (which filters, how many departments, sort, order, count, version) and kept. Not a named
   * statement on PostgreSQL: a generic plan of it would compare each index entry it passes with a
   * department list rebuilt from parameters (a page 400 of a queue passes 54,000), where a plan
   * made with the values compares with a constant; planning it costs ~0.2 ms.
   */
  windowStatement(criteria: ResolvedCriteria, asked: Asked) {
    const { window, sort, order, ...rest } = criteria;
    const values: unknown[] = [];
    const bound: Bound = { criteria: rest, bounds: windowBounds(window) };
    const shape = JSON.stringify([
      sort,
      order,
      asked,
      mapBound(bound, (value) => (values.push(value), typeof value)),
    ]);
    const build = (slot: Slot) => {
      let index = 0;
      const slotted = mapBound(bound, () => slot(index++)) as Bound;
      return this.windowQuery({ ...slotted.criteria, sort, order }, slotted.bounds, asked);
    };
    return this.templates.query(`search:${shape}`, build, values);
  }

  /**
   * The window's ids, with the count of all matches and the organisation version as uncorrelated
   * scalar subqueries when asked: one statement, one round trip. Each subquery is evaluated once
   * (an InitPlan on PostgreSQL, computed only when a row is returned: an empty window counts
   * nothing), and the count keeps its own plan (the narrow count index of migration 0010).
   */
  windowQuery(criteria: Omit<ResolvedCriteria, 'window'>, bounds: Bounds, { withCount, readVersion }: Asked) {
    return this.idsQuery(criteria, bounds)
      .$if(withCount, (q) => q.select(() => this.countQuery(criteria).$asScalar().as('total')))
      .$if(readVersion, (q) =>
        q.select((eb) =>
          eb
            .selectFrom('organisation_version')
            .select('version')
            .where('organisation_version.id', '=', 1)
            .$asScalar()
            .as('organisation_version'),
        ),
      );
  }

  /** When the window's statement returned no row to carry it, the version is read by itself. */
  private async versionAlone(readVersion: boolean): Promise<{ organisationVersion?: number }> {
    if (!readVersion) return {};
    const row = await versionQuery(this.db).executeTakeFirstOrThrow();
    return { organisationVersion: Number(row.version) };
  }
}
