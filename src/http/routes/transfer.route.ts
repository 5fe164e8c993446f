// PATCH /core/casemgr/v3/activity/transfer/{user|queue|department}/{id} — pick's rules 1–5 and 7,
// the target (404-100), then T1–T12; 204 when every activity moved. Client applications admitted.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../domain/pick-activities.js';
import { buildPickRequest } from '../../domain/pick-request.js';
import type { TransferTarget } from '../../domain/rules/transfer-target.js';
import { transferActivities, type TransferStore } from '../../domain/transfer-activities.js';
import { toApiError } from '../error-catalog.js';
import { withCheckedWrite, type VersionChecking } from '../facts-check.js';
import { screenEditBody } from '../edit-body-screen.js';
import { ErrorBodySchema } from '../schemas/common.schema.js';
import { TargetIdParams, TransferQuery } from '../schemas/lifecycle.schema.js';
import { PickBody, type PickBodyType } from '../schemas/pick.schema.js';

export interface TransferRouteDeps {
  /** TransferStore: its lock statement reads the organisation version when given one. */
  readonly store: { readonly transferAtomically: VersionChecking<TransferStore['transferAtomically']> };
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
        // A user caller's facts are checked by the lock statement (withCheckedWrite below).
        config: { api: { query: TransferQuery, takesBody: true, clients: true, factsCheck: 'by-route' } },
        preValidation: async (request) => screenEditBody(request.body),
      },
      async (request, reply) => {
        const built = buildPickRequest(request.body.activity, request.query.unpin === 'yes');
        if (!built.ok) throw toApiError(built.failure);
        // A malformed path id names no target: the store answers it as unknown (404-100), unqueried.
        const outcome = await withCheckedWrite(request, (user, factsVersion, checked) => {
          const store: TransferStore = {
            transferAtomically: async (target, ids, decide, by) =>
              checked(await deps.store.transferAtomically(target, ids, decide, by, factsVersion)),
          };
          return transferActivities(
            { store, clock: deps.clock },
            user ?? request.clientApp!,
            { ...built.value, reassign: request.query.reassign === 'yes' },
            { kind, id: request.params.id },
          );
        });
        if (!outcome.ok) throw toApiError(outcome.failure);
        return reply.code(204).send();
      },
    );
  }
}
