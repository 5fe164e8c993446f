// GET /core/casemgr/v3/case/{ids} — a case's status, customer and how many activities it holds.
import type { FastifyInstance } from 'fastify';
import { selectVisibleCases, type CaseView } from '../../domain/case-read-rules.js';
import { checkReader } from '../../domain/read-rules.js';
import { SCOPE_MANAGE, SCOPE_READ } from '../../domain/caller.js';
import type { Messages } from '../../i18n/messages.js';
import { toCasesXml, toCaseJson } from '../case-representation.js';
import { ApiError, MAX_DETAILS, toApiError } from '../error-catalog.js';
import { XML_TYPE } from '../representation.js';
import { CaseIdsParams, CaseList } from '../schemas/case.schema.js';
import { ErrorBodySchema, NoQuery } from '../schemas/common.schema.js';
import { parseIdList } from './activity-read.route.js';

export interface CaseReader {
  findViews(ids: readonly string[]): Promise<CaseView[]>;
}

/** 404-100 naming the cases that are unknown or hidden from the caller, one caseId detail each. */
const unknownCases = (ids: readonly string[]) =>
  new ApiError(
    '404-100',
    { ids },
    ids.slice(0, MAX_DETAILS).map((value) => ({ key: 'caseId', value })),
  );

export function registerCaseReadRoute(
  app: FastifyInstance,
  deps: { reader: CaseReader; messages: Messages },
): void {
  app.get<{ Params: { ids: string } }>(
    '/core/casemgr/v3/case/:ids',
    {
      schema: {
        operationId: 'getCasesByIds',
        summary: 'Get cases by ids',
        params: CaseIdsParams,
        querystring: NoQuery,
        response: { 200: CaseList, '4xx': ErrorBodySchema },
      },
      config: { api: { query: NoQuery, takesBody: false, clients: true } },
    },
    async (request, reply) => {
      // The path's shape is judged before the scope, as for GET /activity/{ids}.
      const ids = parseIdList(request.params.ids);
      const caller = request.caller;
      if (caller) {
        const refused = checkReader(caller);
        if (refused) throw toApiError(refused);
      } else {
        // A client application: only its scope counts (no actions, no departments).
        const scopes = request.clientApp!.scopes;
        if (!scopes.has(SCOPE_READ) && !scopes.has(SCOPE_MANAGE)) throw new ApiError('403-197');
      }
      const visible = selectVisibleCases(caller, ids, await deps.reader.findViews(ids));
      if (!visible.ok) {
        throw visible.failure.kind === 'UnknownInPath'
          ? unknownCases(visible.failure.ids)
          : toApiError(visible.failure);
      }
      const cases = visible.value.map((view) => toCaseJson(view, request.locale, deps.messages));
      if (request.media === 'xml') return reply.type(XML_TYPE).send(toCasesXml(cases));
      return reply.send({ case: cases });
    },
  );
}
