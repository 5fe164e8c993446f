// What an action did: a success line (role=status), or a refusal (role=alert) that says nothing
// changed, gives the API's localized reason once and then names every rejected activity.
import type { ActivityDetail, EgainError } from './api.js';
import { el } from './dom.js';
import type { Texts } from './i18n.js';

export type Outcome =
  | { readonly kind: 'done'; readonly message: string }
  | { readonly kind: 'refused'; readonly error: EgainError }
  /** No answer (the network, the service unreachable): whether anything changed is unknown. */
  | { readonly kind: 'failed'; readonly reason: string };

export function renderOutcome(outcome: Outcome | undefined, texts: Texts): HTMLElement[] {
  if (!outcome) return [];
  if (outcome.kind === 'done') return [el('p', { 'data-testid': 'outcome-done' }, outcome.message)];
  if (outcome.kind === 'failed')
    return [el('p', { 'data-testid': 'outcome-failed' }, texts.t('noAnswer', { reason: outcome.reason }))];
  const { error } = outcome;
  const rejections = (error.details ?? []).filter((d) => d.key === 'activityId');
  // The API's message already names every rejected id: it is said once, then each id on its own line,
  // with a reason of its own only when the details carry one that differs from the message.
  const lineOf = (detail: ActivityDetail) =>
    detail.reason && detail.reason !== error.developerMessage
      ? texts.t('rejected', { id: detail.value, code: error.code, reason: detail.reason })
      : texts.t('rejectedId', { id: detail.value });
  return [
    el(
      'div',
      { 'data-testid': 'outcome-refused', 'data-code': error.code, class: 'refused' },
      el('p', { 'data-testid': 'nothing-changed' }, el('strong', {}, texts.t('nothingChanged'))),
      error.userMessage && error.userMessage !== error.developerMessage
        ? el('p', {}, error.userMessage)
        : null,
      el('p', { 'data-testid': 'refusal-reason' }, `${error.developerMessage} (${error.code})`),
      rejections.length === 0
        ? null
        : el(
            'ul',
            {},
            ...rejections.map((detail) =>
              el('li', { 'data-testid': 'rejection', 'data-activity-id': detail.value }, lineOf(detail)),
            ),
          ),
    ),
  ];
}
