// The table of activities: one row per activity with a labelled checkbox, its status, type, subject,
// customer, case and age. Selection is capped (the API takes at most 75 activities at once).
import { ageOf } from './age.js';
import type { Activity } from './api.js';
import { el } from './dom.js';
import type { Texts } from './i18n.js';

export const MAX_SELECTION = 75;

export interface TableHandlers {
  isSelected(id: string): boolean;
  canSelectMore(): boolean;
  toggle(activity: Activity, selected: boolean): void;
}

const customerOf = (activity: Activity) =>
  activity.customer
    ? [activity.customer.firstName, activity.customer.lastName].filter(Boolean).join(' ') ||
      activity.customer.id
    : '';

function statusOf(activity: Activity, texts: Texts): string {
  const parts = [activity.status.displayValue];
  if (activity.status.substatus) parts.push(activity.status.substatus.displayValue);
  const assigned = activity.status.assigned;
  if (assigned?.user.name) parts.push(assigned.user.name);
  if (assigned?.pinned) parts.push(texts.t('pinned'));
  return parts.join(' · ');
}

export function activityTable(
  activities: readonly Activity[],
  texts: Texts,
  handlers: TableHandlers,
  caption: string,
): HTMLTableElement {
  const { t } = texts;
  const nowMs = Date.now();
  const rows = activities.map((activity) => {
    const selected = handlers.isSelected(activity.id);
    const box = el('input', {
      type: 'checkbox',
      'data-testid': 'select-activity',
      'data-activity-id': activity.id,
      'aria-label': t('selectActivity', { id: activity.id }),
      checked: selected,
      disabled: !selected && !handlers.canSelectMore(),
    });
    box.addEventListener('change', () => handlers.toggle(activity, box.checked));
    return el(
      'tr',
      {
        'data-testid': 'activity-row',
        'data-activity-id': activity.id,
        'data-pinned': activity.status.assigned?.pinned ? 'true' : undefined,
      },
      el('td', {}, box),
      el('td', {}, activity.id),
      el('td', { 'data-testid': 'activity-status' }, statusOf(activity, texts)),
      el('td', {}, activity.type.displayValue),
      el('td', { class: 'subject', 'data-testid': 'activity-subject' }, activity.subject),
      el('td', {}, customerOf(activity)),
      el('td', { 'data-testid': 'activity-case' }, activity.case?.id ?? ''),
      el(
        'td',
        {},
        el('time', { datetime: activity.created }, ageOf(activity.created, texts.textLocale, nowMs)),
      ),
    );
  });
  const headers = ['select', 'id', 'status', 'type', 'subject', 'customer', 'case', 'age'];
  return el(
    'table',
    { 'data-testid': 'activity-table' },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, t(`column.${h}`))))),
    el('tbody', {}, ...rows),
  );
}
