// PATCH /core/casemgr/v3/activity/pull — no body (400-203), no query (400-101), the Pull Activities
// action; 200 with the activities now assigned to the caller, or 204 when nothing was waiting.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../domain/pick-activities.js';
import { pullActivities, type PullStore } from '../../domain/pull-activities.js';
import { activityHref } from '../activity-representation.js';
import { ApiError, toApiError } from '../error-catalog.js';
import { withCheckedWrite, type VersionChecking } from '../facts-check.js';
import { bodyWasSent } from '../edit-body-screen.js';
import { ACTIVITY_NS, toXml, XML_TYPE } from '../representation.js';
import { ErrorBodySchema, NoQuery } from '../schemas/common.schema.js';
import { PulledList, type PulledListType } from '../schemas/lifecycle.schema.js';

export interface PullRouteDeps {
  /** PullStore: its first statement reads the organisation version when given one. */
  readonly store: { readonly pullAtomically: VersionChecking<PullStore['pullAtomically']> };
  readonly clock: Clock;
}

export function registerPullRoute(app: FastifyInstance, deps: PullRouteDeps): void {
  app.patch<{ Body: undefined }>(
    '/core/casemgr/v3/activity/pull',
    {
      schema: {
        operationId: 'pullActivities',
        summary: 'Pull activities',
        querystring: NoQuery,
        response: {
          200: PulledList,
          204: { type: 'null', description: 'Nothing was waiting that the caller may pull.' },
          '4xx': ErrorBodySchema,
        },
      },
      // The caller's facts are checked by the pull's first statement (withCheckedWrite below).
      config: { api: { query: NoQuery, takesBody: false, factsCheck: 'by-route' } },
      // Rule 4: refused before a byte of it is parsed, whatever its media type.
      preParsing: async (request) => {
        if (bodyWasSent(request.headers)) throw new ApiError('400-203');
      },
    },
    async (request, reply) => {
      const outcome = await withCheckedWrite(request, (caller, factsVersion, checked) => {
        const store: PullStore = {
          pullAtomically: async (user, decide) =>
            checked(await deps.store.pullAtomically(user, decide, factsVersion)),
        };
        return pullActivities({ store, clock: deps.clock }, caller!);
      });
      if (!outcome.ok) throw toApiError(outcome.failure);
      if (outcome.value === undefined) return reply.code(204).send();
      const answer: PulledListType = {
        activity: outcome.value.changes.map(({ activityId }) => ({
          id: activityId,
          link: [{ rel: 'self', href: activityHref(activityId) }],
        })),
      };
      if (request.media === 'xml') {
        const activity = answer.activity.map((a) => ({
          '@_id': a.id,
          link: a.link.map((l) => ({ '@_rel': l.rel, '@_href': l.href })),
        }));
        return reply.type(XML_TYPE).send(toXml({ activities: { '@_xmlns': ACTIVITY_NS, activity } }));
      }
      return reply.send(answer);
    },
  );
}
