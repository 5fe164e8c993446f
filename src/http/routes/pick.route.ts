// PATCH /core/casemgr/v3/activity/pick — rules 4–19; 204 when every activity was picked.
import type { FastifyInstance } from 'fastify';
import { pickActivities, type Clock, type PickStore } from '../../domain/pick-activities.js';
import { buildPickRequest } from '../../domain/pick-request.js';
import { ApiError, toApiError } from '../error-catalog.js';
import { withCheckedWrite, type VersionChecking } from '../facts-check.js';
import { screenPickBody } from '../pick-body-screen.js';
import { ErrorBodySchema } from '../schemas/common.schema.js';
import { PickBody, PickQuery, type PickBodyType } from '../schemas/pick.schema.js';

export interface PickRouteDeps {
  /** ActivityStore: its lock statement reads the organisation version when given one. */
  readonly store: { readonly pickAtomically: VersionChecking<PickStore['pickAtomically']> };
  readonly clock: Clock;
  readonly onPicked?: (count: number) => void;
}

export function registerPickRoute(app: FastifyInstance, deps: PickRouteDeps): void {
  app.patch<{ Body: PickBodyType; Querystring: { unpin?: 'yes' } }>(
    '/core/casemgr/v3/activity/pick',
    {
      schema: {
        operationId: 'pickActivities',
        summary: 'Pick activities',
        querystring: PickQuery,
        body: PickBody,
        response: {
          204: { type: 'null', description: 'Every activity was assigned to the caller.' },
          '4xx': ErrorBodySchema,
        },
      },
      // The caller's facts are checked by the lock statement (withCheckedWrite below).
      config: { api: { query: PickQuery, takesBody: true, factsCheck: 'by-route' } },
      // Rule 4 starts with 400-264: a request without a body never reaches the schema. Then 400-104
      // and 400-147, whose cost in the schema would grow with the body (pick-body-screen.ts).
      preValidation: async (request) => {
        if (request.body === undefined) throw new ApiError('400-264');
        const screened = screenPickBody(request.body);
        if (screened) throw screened;
      },
    },
    async (request, reply) => {
      const built = buildPickRequest(request.body.activity, request.query.unpin === 'yes');
      if (!built.ok) throw toApiError(built.failure);
      const pick = built.value;
      // The caller's facts reach here unconfirmed when cached (config factsCheck below): the lock
      // statement reads the organisation version with the rows, and a pick judged on facts the
      // version has left behind writes nothing and is judged again on fresh ones.
      const outcome = await withCheckedWrite(request, (caller, factsVersion, checked) => {
        const store: PickStore = {
          pickAtomically: async (ids, decide) =>
            checked(await deps.store.pickAtomically(ids, decide, factsVersion)),
        };
        return pickActivities({ store, clock: deps.clock }, caller!, pick);
      });
      if (!outcome.ok) throw toApiError(outcome.failure);
      deps.onPicked?.(outcome.value.changes.length);
      return reply.code(204).send();
    },
  );
}
