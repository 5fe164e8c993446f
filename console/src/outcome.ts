// What an action did: a success line (role=status), or a refusal (role=alert) that says nothing
// changed and names every rejected activity with the API's localized reason.
import type { EgainError } from './api.js';
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
  const reason = error.developerMessage;
  const ids = (error.details ?? []).filter((d) => d.key === 'activityId').map((d) => d.value);
  return [
    el(
      'div',
      { 'data-testid': 'outcome-refused', 'data-code': error.code, class: 'refused' },
      el('p', { 'data-testid': 'nothing-changed' }, el('strong', {}, texts.t('nothingChanged'))),
      error.userMessage ? el('p', {}, error.userMessage) : null,
      ids.length === 0
        ? el('p', { 'data-testid': 'refusal-reason' }, `${error.code}: ${reason}`)
        : el(
            'ul',
            {},
            ...ids.map((id) =>
              el(
                'li',
                { 'data-testid': 'rejection', 'data-activity-id': id },
                texts.t('rejected', { id, code: error.code, reason }),
              ),
            ),
          ),
    ),
  ];
}
