// GET /core/casemgr/v3/activity/{ids} — so a client can read lastModified before it picks.
import type { FastifyInstance } from 'fastify';
import { MAX_ACTIVITIES_PER_PICK } from '../../domain/pick-request.js';
import { checkSearcher, selectReadable } from '../../domain/search-access.js';
import { parseAttributes } from '../../domain/search-request.js';
import type { Messages } from '../../i18n/messages.js';
import type { ActivityView } from '../../store/activity-store.js';
import { toActivitiesXml, toActivityJson } from '../activity-representation.js';
import { ApiError, toApiError } from '../error-catalog.js';
import { XML_TYPE } from '../representation.js';
import { ActivityIdsParams, ActivityList } from '../schemas/activity.schema.js';
import { ErrorBodySchema, ID_REGEX } from '../schemas/common.schema.js';
import { ReadQuery } from '../schemas/search.schema.js';
import { searcherOf, searchRefusalError } from './activity-search.route.js';

export interface ActivityReader {
  findViews(ids: readonly string[]): Promise<ActivityView[]>;
}

/** 1 to 75 comma-separated ids, each with the body's id rules, none repeated (400-106, ours). */
export function parseIdList(raw: string): string[] {
  const ids = raw.split(',');
  const bad = ids.filter((id, index) => !ID_REGEX.test(id) || ids.indexOf(id) !== index);
  if (bad.length > 0 || ids.length > MAX_ACTIVITIES_PER_PICK) {
    const named = bad.length > 0 ? bad : ids;
    throw new ApiError(
      '400-106',
      { ids: named, max: MAX_ACTIVITIES_PER_PICK },
      named.slice(0, 30).map((value) => ({ key: 'activityId', value })),
    );
  }
  return ids;
}

export function registerActivityReadRoute(
  app: FastifyInstance,
  deps: { reader: ActivityReader; messages: Messages },
): void {
  app.get<{ Params: { ids: string }; Querystring: { $attribute?: string } }>(
    '/core/casemgr/v3/activity/:ids',
    {
      schema: {
        operationId: 'getActivitiesByIds',
        summary: 'Get activities by ids',
        params: ActivityIdsParams,
        querystring: ReadQuery,
        response: { 200: ActivityList, '4xx': ErrorBodySchema },
      },
      config: { api: { query: ReadQuery, takesBody: false, clients: true } },
    },
    async (request, reply) => {
      // The path and the query are to GET what the body is to pick: judged before the scope (rule 4 < 5).
      const ids = parseIdList(request.params.ids);
      const attributes = parseAttributes(request.query.$attribute);
      if (!attributes.ok) throw searchRefusalError({ code: '400-116', value: attributes.value });
      const searcher = searcherOf(request);
      const refused = checkSearcher(searcher);
      if (refused) throw toApiError(refused);
      const found = await deps.reader.findViews(ids);
      // A client application sees every department; a user only their home and foreign ones.
      const visible = selectReadable(searcher, ids, found);
      if (!visible.ok) throw toApiError(visible.failure);
      const activity = visible.value.map((view) =>
        toActivityJson(view, request.locale, deps.messages, attributes.value),
      );
      if (request.media === 'xml') return reply.type(XML_TYPE).send(toActivitiesXml(activity));
      return reply.send({ activity });
    },
  );
}
