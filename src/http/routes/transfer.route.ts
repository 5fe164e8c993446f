// PATCH /core/casemgr/v3/activity/transfer/{user|queue|department}/{id} — pick's rules 1–5 and 7,
// the target (404-100), then T1–T12; 204 when every activity moved. Client applications admitted.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../domain/pick-activities.js';
import { buildPickRequest } from '../../domain/pick-request.js';
import type { TransferTarget } from '../../domain/rules/transfer-target.js';
import { transferActivities, type TransferStore } from '../../domain/transfer-activities.js';
import { toApiError } from '../error-catalog.js';
import { screenEditBody } from '../edit-body-screen.js';
import { ErrorBodySchema } from '../schemas/common.schema.js';
import { TargetIdParams, TransferQuery } from '../schemas/lifecycle.schema.js';
import { PickBody, type PickBodyType } from '../schemas/pick.schema.js';

export interface TransferRouteDeps {
  readonly store: TransferStore;
  readonly clock: Clock;
}

const KINDS: readonly TransferTarget['kind'][] = ['user', 'queue', 'department'];

export function registerTransferRoutes(app: FastifyInstance, deps: TransferRouteDeps): void {
  for (const kind of KINDS) {
    app.patch<{
      Body: PickBodyType;
      Params: { id: string };
      Querystring: { unpin?: 'yes'; reassign?: 'yes' };
    }>(
      `/core/casemgr/v3/activity/transfer/${kind}/:id`,
      {
        schema: {
          operationId: `transferActivitiesTo${kind[0]?.toUpperCase() ?? ''}${kind.slice(1)}`,
          summary: `Transfer activities to a ${kind}`,
          params: TargetIdParams,
          querystring: TransferQuery,
          body: PickBody,
          response: {
            204: { type: 'null', description: `Every activity was transferred to the ${kind}.` },
            '4xx': ErrorBodySchema,
          },
        },
        config: { api: { query: TransferQuery, takesBody: true, clients: true } },
        preValidation: async (request) => screenEditBody(request.body),
      },
      async (request, reply) => {
        const built = buildPickRequest(request.body.activity, request.query.unpin === 'yes');
        if (!built.ok) throw toApiError(built.failure);
        const caller = request.caller ?? request.clientApp!;
        // A malformed path id names no target: the store answers it as unknown (404-100), unqueried.
        const outcome = await transferActivities(
          deps,
          caller,
          { ...built.value, reassign: request.query.reassign === 'yes' },
          { kind, id: request.params.id },
        );
        if (!outcome.ok) throw toApiError(outcome.failure);
        return reply.code(204).send();
      },
    );
  }
}
