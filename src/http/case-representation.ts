// A case as eGain's API shows it (GET /case/{ids}), with its status display value in the negotiated
// locale, in JSON or in eGain's XML binding.
import type { CaseView } from '../domain/case-read-rules.js';
import type { Locale } from '../i18n/locales.js';
import type { Messages } from '../i18n/messages.js';
import { toXml, type XmlTree } from './representation.js';
import type { CaseJsonType } from './schemas/case.schema.js';

export const CASE_NS = 'http://bindings.egain.com/ws/model/v12/gen/interaction/case';

export const caseHref = (id: string) => `/core/casemgr/v3/case/${id}`;

export function toCaseJson(view: CaseView, locale: Locale, messages: Messages): CaseJsonType {
  return {
    id: view.id,
    status: {
      value: view.status,
      displayValue: messages.display(locale, `caseStatus.${view.status}`) ?? view.status,
    },
    // casemgr has no customer endpoint to link to, so the customer carries no link.
    ...(view.customer !== null
      ? {
          customer: {
            id: view.customer.id,
            firstName: view.customer.firstName,
            lastName: view.customer.lastName,
          },
        }
      : {}),
    activities: { count: view.activityCount },
    link: [{ rel: 'self', href: caseHref(view.id) }],
  };
}

/** `<cases xmlns="…/interaction/case"><case id="…">…</case></cases>`, written as activities are. */
export function toCasesXml(cases: readonly CaseJsonType[]): string {
  const element = cases.map(({ id, status, customer, activities, link }): XmlTree => ({
    '@_id': id,
    status,
    ...(customer ? { customer } : {}),
    activities,
    link: link.map((l) => ({ '@_rel': l.rel, '@_href': l.href })),
  }));
  return toXml({ cases: { '@_xmlns': CASE_NS, case: element } });
}
