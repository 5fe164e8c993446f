// PATCH /core/casemgr/v3/activity/complete — rules 1–7 with the Complete action, then C1–C6; 200
// naming each activity's case and whether the complete left it closed. User tokens only.
import type { FastifyInstance } from 'fastify';
import {
  completeActivities,
  type CompleteResult,
  type CompleteStore,
} from '../../domain/complete-activities.js';
import type { Clock } from '../../domain/pick-activities.js';
import { buildPickRequest } from '../../domain/pick-request.js';
import type { Locale } from '../../i18n/locales.js';
import type { Messages } from '../../i18n/messages.js';
import { activityHref, caseHref } from '../activity-representation.js';
import { toApiError } from '../error-catalog.js';
import { withCheckedWrite, type VersionChecking } from '../facts-check.js';
import { screenEditBody } from '../edit-body-screen.js';
import { ACTIVITY_NS, toXml, XML_TYPE, type XmlTree } from '../representation.js';
import { ErrorBodySchema, NoQuery } from '../schemas/common.schema.js';
import { CompletedList, type CompletedListType } from '../schemas/lifecycle.schema.js';
import { PickBody, type PickBodyType } from '../schemas/pick.schema.js';

export interface CompleteRouteDeps {
  /** CompleteStore: its lock statement reads the organisation version when given one. */
  readonly store: { readonly completeAtomically: VersionChecking<CompleteStore['completeAtomically']> };
  readonly clock: Clock;
  readonly messages: Messages;
}

export function registerCompleteRoute(app: FastifyInstance, deps: CompleteRouteDeps): void {
  app.patch<{ Body: PickBodyType }>(
    '/core/casemgr/v3/activity/complete',
    {
      schema: {
        operationId: 'completeActivities',
        summary: 'Complete activities',
        querystring: NoQuery,
        body: PickBody,
        response: { 200: CompletedList, '4xx': ErrorBodySchema },
      },
      // The caller's facts are checked by the lock statement (withCheckedWrite below).
      config: { api: { query: NoQuery, takesBody: true, factsCheck: 'by-route' } },
      preValidation: async (request) => screenEditBody(request.body),
    },
    async (request, reply) => {
      const built = buildPickRequest(request.body.activity, false);
      if (!built.ok) throw toApiError(built.failure);
      const outcome = await withCheckedWrite(request, (caller, factsVersion, checked) => {
        const store: CompleteStore = {
          completeAtomically: async (ids, decide) =>
            checked(await deps.store.completeAtomically(ids, decide, factsVersion)),
        };
        return completeActivities({ store, clock: deps.clock }, caller!, built.value);
      });
      if (!outcome.ok) throw toApiError(outcome.failure);
      const answer = completedJson(outcome.value, request.locale, deps.messages);
      if (request.media === 'xml') return reply.type(XML_TYPE).send(completedXml(answer));
      return reply.send(answer);
    },
  );
}

/** In the order the client sent the activities; `case` left out for an activity without one (eGain). */
function completedJson(result: CompleteResult, locale: Locale, messages: Messages): CompletedListType {
  return {
    activity: result.plan.changes.map(({ activityId, caseId }) => {
      const self = { id: activityId, link: [{ rel: 'self', href: activityHref(activityId) }] };
      if (caseId === null) return self;
      const status = result.closedCaseIds.has(caseId) ? 'closed' : 'open';
      return {
        ...self,
        case: {
          id: caseId,
          link: [{ rel: 'case', href: caseHref(caseId) }],
          status: { value: status, displayValue: messages.display(locale, `caseStatus.${status}`) ?? status },
        },
      };
    }),
  };
}

const linkXml = (links: readonly { rel: string; href: string }[]) =>
  links.map((l) => ({ '@_rel': l.rel, '@_href': l.href }));

function completedXml(answer: CompletedListType): string {
  const activity = answer.activity.map((a): XmlTree => ({
    '@_id': a.id,
    link: linkXml(a.link),
    ...(a.case ? { case: { '@_id': a.case.id, link: linkXml(a.case.link), status: a.case.status } } : {}),
  }));
  return toXml({ activities: { '@_xmlns': ACTIVITY_NS, activity } });
}
