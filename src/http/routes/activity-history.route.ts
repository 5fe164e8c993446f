// GET /core/casemgr/v3/activity/{id}/history (ours: eGain has no such endpoint) — every change of
// owner, queue, department and status of one activity, oldest first. Who may read it, and which
// activities they see, are GET /activity/{ids}'s rules.
import type { FastifyInstance } from 'fastify';
import { checkSearcher, selectReadable } from '../../domain/search-access.js';
import type { ActivityHistory } from '../../store/history-store.js';
import { ApiError, toApiError } from '../error-catalog.js';
import { toHistoryJson, toHistoryXml } from '../history-representation.js';
import { XML_TYPE } from '../representation.js';
import { ErrorBodySchema, NoQuery } from '../schemas/common.schema.js';
import { ActivityIdParams, HistoryList } from '../schemas/history.schema.js';
import { parseIdList } from './activity-read.route.js';
import { searcherOf } from './activity-search.route.js';

export interface HistoryReader {
  findHistory(activityId: string): Promise<ActivityHistory | undefined>;
}

/** One id, with GET's id rules; a list is as malformed here as any other bad id (400-106). */
function parseOneId(raw: string): string {
  const ids = parseIdList(raw);
  if (ids.length !== 1) {
    throw new ApiError(
      '400-106',
      { ids, max: 1 },
      ids.slice(0, 30).map((value) => ({ key: 'activityId', value })),
    );
  }
  return ids[0];
}

export function registerActivityHistoryRoute(app: FastifyInstance, deps: { reader: HistoryReader }): void {
  app.get<{ Params: { id: string } }>(
    '/core/casemgr/v3/activity/:id/history',
    {
      schema: {
        operationId: 'getActivityHistory',
        summary: 'Get the history of an activity (ours)',
        params: ActivityIdParams,
        querystring: NoQuery,
        response: { 200: HistoryList, '4xx': ErrorBodySchema },
      },
      config: { api: { query: NoQuery, takesBody: false, clients: true } },
    },
    async (request, reply) => {
      // The path is judged before the scope, as for GET /activity/{ids}.
      const id = parseOneId(request.params.id);
      const searcher = searcherOf(request);
      const refused = checkSearcher(searcher);
      if (refused) throw toApiError(refused);
      const history = await deps.reader.findHistory(id);
      // An activity the user may not see is answered as one that does not exist (404-100).
      const visible = selectReadable(searcher, [id], history ? [history.activity] : []);
      if (!visible.ok) throw toApiError(visible.failure);
      const entries = history!.entries;
      if (request.media === 'xml') return reply.type(XML_TYPE).send(toHistoryXml(entries));
      return reply.send({ event: entries.map(toHistoryJson) });
    },
  );
}
