// An activity as eGain's API shows it, with display values in the negotiated locale.
import type { Locale } from '../i18n/locales.js';
import type { Messages } from '../i18n/messages.js';
import type { ActivityView } from '../store/activity-store.js';
import { ACTIVITY_NS, toXml, type XmlTree } from './representation.js';
import type { ActivityJsonType } from './schemas/activity.schema.js';

export const activityHref = (id: string) => `/core/casemgr/v3/activity/${id}`;

const iso = (ms: number) => new Date(ms).toISOString();

export function toActivityJson(view: ActivityView, locale: Locale, messages: Messages): ActivityJsonType {
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
    link: [{ rel: 'self', href: activityHref(view.id) }],
  };
}

/** `<activities xmlns="…/interaction/activity"><activity id="…">…</activity></activities>` */
export function toActivitiesXml(activities: readonly ActivityJsonType[]): string {
  const activity = activities.map(({ id, link, ...rest }): XmlTree => ({
    '@_id': id,
    ...rest,
    link: link.map((l) => ({ '@_rel': l.rel, '@_href': l.href })),
  }));
  return toXml({ activities: { '@_xmlns': ACTIVITY_NS, activity } });
}
