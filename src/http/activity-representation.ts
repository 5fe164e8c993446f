// An activity as eGain's API shows it, with display values in the negotiated locale.
import type { Locale } from '../i18n/locales.js';
import type { Messages } from '../i18n/messages.js';
import type { OptionalAttribute } from '../domain/search-criteria.js';
import type { ActivityView, NamedRef } from '../store/activity-store.js';
import { ACTIVITY_NS, toXml, type XmlTree } from './representation.js';
import type { ActivityJsonType } from './schemas/activity.schema.js';

export const activityHref = (id: string) => `/core/casemgr/v3/activity/${id}`;
export const caseHref = (id: string) => `/core/casemgr/v3/case/${id}`;
/** eGain serves customers from its customer hub; casemgr names the same path (no route of its own yet). */
export const customerHref = (id: string) => `/core/casemgr/v3/customer/${id}`;

const userRef = (ref: NamedRef) => (ref.name === null ? { id: ref.id } : { id: ref.id, name: ref.name });

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The summary representation, plus the optional groups named in `attributes` ($attribute). `created`
 * is always shown (ours: GET by ids always had it); `lastDepartment` appears once a transfer has
 * moved the activity out of a department.
 */
export function toActivityJson(
  view: ActivityView,
  locale: Locale,
  messages: Messages,
  attributes: ReadonlySet<OptionalAttribute> = new Set(),
): ActivityJsonType {
  const display = (key: string, fallback: string) => messages.display(locale, key) ?? fallback;
  const typeDisplay = view.customTypeDisplayName ?? display(`type.${view.type}`, view.type);
  return {
    id: view.id,
    type: {
      value: view.type,
      displayValue: typeDisplay,
      ...(view.subtype !== null
        ? { subtype: { value: view.subtype, displayValue: display(`subtype.${view.subtype}`, view.subtype) } }
        : {}),
    },
    ...(view.mode !== null ? { mode: view.mode } : {}),
    department: { id: view.departmentId, name: view.departmentName },
    ...(view.queueId !== null ? { queue: { id: view.queueId, name: view.queueName ?? '' } } : {}),
    status: {
      value: view.status,
      displayValue: display(`status.${view.status}`, view.status),
      ...(view.substatus !== null
        ? {
            substatus: {
              value: view.substatus,
              displayValue: display(`substatus.${view.substatus}`, view.substatus),
            },
          }
        : {}),
      ...(view.status === 'assigned' && view.assignedUserId !== null
        ? {
            assigned: {
              user: { id: view.assignedUserId, name: view.assignedUserName ?? '' },
              pinned: view.pinned,
              locked: view.locked,
            },
          }
        : {}),
    },
    subject: view.subject,
    ...(view.priority !== null ? { priority: view.priority } : {}),
    created: iso(view.createdMs),
    lastModified: iso(view.lastModifiedMs),
    ...(view.dueDateMs !== null ? { dueDate: iso(view.dueDateMs) } : {}),
    ...(view.caseId !== null
      ? { case: { id: view.caseId, link: [{ rel: 'case', href: caseHref(view.caseId) }] } }
      : {}),
    ...(view.customer !== null
      ? { customer: { ...view.customer, link: [{ rel: 'customer', href: customerHref(view.customer.id) }] } }
      : {}),
    ...(attributes.has('createdBy') && view.createdBy !== null ? { createdBy: userRef(view.createdBy) } : {}),
    ...(attributes.has('userLastWorked') && view.userLastWorked !== null
      ? { userLastWorked: userRef(view.userLastWorked) }
      : {}),
    ...(attributes.has('lastDepartment') && view.lastDepartment !== null
      ? { lastDepartment: { id: view.lastDepartment.id, name: view.lastDepartment.name } }
      : {}),
    ...(attributes.has('payload') && view.payload !== null ? { payload: view.payload } : {}),
    link: [{ rel: 'self', href: activityHref(view.id) }],
  };
}

const linkXml = (links: readonly { rel: string; href: string }[]) =>
  links.map((l) => ({ '@_rel': l.rel, '@_href': l.href }));

/** Search's paging block, in XML as in JSON (links as attributes, like an activity's). */
export interface PaginationInfo {
  readonly count: number;
  readonly pagenum: number;
  readonly pagesize: number;
  readonly link?: readonly { rel: string; href: string }[];
}

/**
 * `<activities xmlns="…/interaction/activity"><activity id="…">…</activity>[<paginationInfo>…]
 * </activities>`; `case` and `customer` carry their id as an attribute, as `activity` does.
 */
export function toActivitiesXml(
  activities: readonly ActivityJsonType[],
  paginationInfo?: PaginationInfo,
): string {
  // Elements in the JSON's order; ids of the activity, its case and its customer become attributes.
  const activity = activities.map((json): XmlTree =>
    Object.fromEntries(
      Object.entries(json).map(([key, value]) => {
        if (key === 'id') return ['@_id', value];
        if (key === 'link') return ['link', linkXml(json.link)];
        if (key === 'case' || key === 'customer') {
          const { id, link, ...fields } = value as { id: string; link: { rel: string; href: string }[] };
          return [key, { '@_id': id, ...fields, link: linkXml(link) }];
        }
        return [key, value];
      }),
    ),
  );
  const paging = paginationInfo
    ? {
        paginationInfo: {
          count: paginationInfo.count,
          pagenum: paginationInfo.pagenum,
          pagesize: paginationInfo.pagesize,
          ...(paginationInfo.link ? { link: linkXml(paginationInfo.link) } : {}),
        },
      }
    : {};
  return toXml({ activities: { '@_xmlns': ACTIVITY_NS, activity, ...paging } });
}
