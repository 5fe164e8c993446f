// GET /core/casemgr/v3/activity — activity search (docs/api/search-activities.md). The order of the
// answers: 401-101; 406/415; 400-101 (names not for this caller) and 400-102/400-244 (enum values,
// repeated parameters) in the API gate; then 400-120, 400-124, 400-244, 400-116, 400-614, 400-245
// (search-request.ts); then 403-197 and 403-178 — the query is judged before the scope, as a pick's
// body is.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RuleFailure } from '../../domain/failures.js';
import { checkSearcher, visibleDepartments, type Searcher } from '../../domain/search-access.js';
import { OPTIONAL_ATTRIBUTES, type SearchCriteria } from '../../domain/search-criteria.js';
import { parseSearch, type SearchQuery, type SearchRefusal } from '../../domain/search-request.js';
import type { Messages } from '../../i18n/messages.js';
import type { SearchPage } from '../../store/activity-search.js';
import { toActivitiesXml, toActivityJson, type PaginationInfo } from '../activity-representation.js';
import { ApiError, toApiError } from '../error-catalog.js';
import { withCheckedFacts } from '../facts-check.js';
import { XML_TYPE } from '../representation.js';
import { ErrorBodySchema } from '../schemas/common.schema.js';
import {
  AnySearchQuery,
  ClientSearchQuery,
  SearchAnswer,
  UserSearchQuery,
} from '../schemas/search.schema.js';
import type { ActivityReader } from './activity-read.route.js';

export const SEARCH_PATH = '/core/casemgr/v3/activity';

/** What a search judged on the caller's facts: a refusal, or the window found. */
type Judged = { readonly refused: RuleFailure } | { readonly found: SearchPage };

export interface ActivitySearcher {
  /** `readVersion`: the page carries the organisation version its window's statement read. */
  page(criteria: SearchCriteria, withCount: boolean, readVersion: boolean): Promise<SearchPage>;
}

const parameter = (value: string) => ({ key: 'parameter', value });

export function searchRefusalError(refusal: SearchRefusal): ApiError {
  switch (refusal.code) {
    case '400-120':
    case '400-124':
      return new ApiError(refusal.code);
    case '400-244':
      return new ApiError('400-244', { name: refusal.name }, [parameter(refusal.name)]);
    case '400-116':
      return new ApiError(
        '400-116',
        { value: refusal.value, supported: ['all', ...OPTIONAL_ATTRIBUTES].join(',') },
        [parameter('$attribute')],
      );
    case '400-614':
      return new ApiError('400-614', {}, [parameter('type')]);
    case '400-245':
      return new ApiError('400-245', { names: refusal.names }, refusal.names.map(parameter));
  }
}

export function searcherOf(request: FastifyRequest): Searcher {
  return request.clientApp !== undefined ? { client: request.clientApp } : { user: request.caller! };
}

/** The request's own query with the page replaced (appended when paging was defaulted). */
function pageHref(query: SearchQuery, pagenum: number, pagesize: number): string {
  const entries = Object.entries({ ...query, $pagenum: String(pagenum), $pagesize: String(pagesize) });
  const pairs = entries
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  return `${SEARCH_PATH}?${pairs.join('&')}`;
}

function paginationInfo(
  query: SearchQuery,
  pagenum: number,
  pagesize: number,
  count: number,
): PaginationInfo {
  const link = [
    ...(pagenum > 1 ? [{ rel: 'prev', href: pageHref(query, pagenum - 1, pagesize) }] : []),
    ...(pagenum * pagesize < count ? [{ rel: 'next', href: pageHref(query, pagenum + 1, pagesize) }] : []),
  ];
  return { count, pagenum, pagesize, ...(link.length > 0 ? { link } : {}) };
}

export function registerActivitySearchRoute(
  app: FastifyInstance,
  deps: { searcher: ActivitySearcher; reader: ActivityReader; messages: Messages },
): void {
  app.get<{ Querystring: SearchQuery }>(
    SEARCH_PATH,
    {
      schema: {
        operationId: 'searchActivity',
        summary: 'Search activities',
        querystring: AnySearchQuery,
        response: {
          200: SearchAnswer,
          204: { type: 'null', description: 'Nothing matches, or the page or range is past the end.' },
          '4xx': ErrorBodySchema,
        },
      },
      config: {
        api: {
          query: UserSearchQuery,
          clientQuery: ClientSearchQuery,
          takesBody: false,
          clients: true,
          factsCheck: 'by-route',
        },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const parsed = parseSearch(query, request.clientApp !== undefined ? 'client' : 'user');
      if (!parsed.ok) throw searchRefusalError(parsed.refusal);
      const { filters, sort, order, window, attributes } = parsed.value;

      // The caller's facts are checked by the window's statement (config factsCheck below): judged
      // again from here on fresh facts when an import changed them since they were cached.
      const page = await withCheckedFacts<Judged>(request, async (caller, factsVersion) => {
        const searcher: Searcher = caller ? { user: caller } : { client: request.clientApp! };
        const refused = checkSearcher(searcher);
        if (refused) return { value: { refused } };
        const visibleDepartmentIds = visibleDepartments(searcher);
        const criteria: SearchCriteria = {
          filters,
          sort,
          order,
          window,
          ...(visibleDepartmentIds ? { visibleDepartmentIds } : {}),
        };
        const found = await deps.searcher.page(criteria, window.kind === 'page', factsVersion !== undefined);
        return { value: { found }, versionSeen: found.organisationVersion };
      });
      if ('refused' in page) throw toApiError(page.refused);
      if (page.found.ids.length === 0) return reply.code(204).send();
      const { ids, count } = page.found;
      const views = new Map((await deps.reader.findViews(ids)).map((view) => [view.id, view]));
      const activity = ids.flatMap((id) => {
        const view = views.get(id);
        return view ? [toActivityJson(view, request.locale, deps.messages, attributes)] : [];
      });
      const paging =
        window.kind === 'page' && count !== undefined
          ? paginationInfo(query, window.pagenum, window.pagesize, count)
          : undefined;
      if (request.media === 'xml') return reply.type(XML_TYPE).send(toActivitiesXml(activity, paging));
      return reply.send({ activity, ...(paging ? { paginationInfo: paging } : {}) });
    },
  );
}
