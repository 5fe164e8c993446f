// PATCH /core/casemgr/v3/activity/pick — rules 4–19; 204 when every activity was picked.
import type { FastifyInstance } from 'fastify';
import { pickActivities, type Clock, type PickStore } from '../../domain/pick-activities.js';
import { buildPickRequest } from '../../domain/pick-request.js';
import { ApiError, toApiError } from '../error-catalog.js';
import { screenPickBody } from '../pick-body-screen.js';
import { ErrorBodySchema } from '../schemas/common.schema.js';
import { PickBody, PickQuery, type PickBodyType } from '../schemas/pick.schema.js';

export interface PickRouteDeps {
  readonly store: PickStore;
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
      config: { api: { query: PickQuery, takesBody: true } },
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
      const outcome = await pickActivities(deps, request.caller!, built.value);
      if (!outcome.ok) throw toApiError(outcome.failure);
      deps.onPicked?.(outcome.value.changes.length);
      return reply.code(204).send();
    },
  );
}
