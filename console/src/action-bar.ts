// The action bar: the selection's size, pick (with unpin when a pinned activity is selected), pull
// next, complete, and transfer to a user, queue or department. Its elements are built once and only
// updated afterwards: a list refresh (the live stream, another page) must never wipe a transfer target
// being typed, a kind being chosen, or move the keyboard focus.
import * as actions from './actions.js';
import { MAX_SELECTION } from './activity-table.js';
import type { Activity, ApiContext, Me } from './api.js';
import { el } from './dom.js';
import type { Texts } from './i18n.js';
import type { Outcome } from './outcome.js';

export interface ActionBarHost {
  readonly context: ApiContext;
  readonly texts: Texts;
  readonly me: Me['user'];
  selected(): Activity[];
  run(action: () => Promise<Outcome>): void;
}

export class ActionBar {
  readonly element = el('div', { class: 'actions', role: 'group' });
  private readonly count = el('p', { 'data-testid': 'selection-count' });
  private readonly unpinBox = el('input', { type: 'checkbox', id: 'unpin', 'data-testid': 'unpin' });
  private readonly unpinField = el('span', { class: 'unpin' });
  private readonly kind = el('select', { id: 'transfer-kind', 'data-testid': 'transfer-kind' });
  private readonly target = el('input', {
    id: 'transfer-target',
    'data-testid': 'transfer-target',
    list: 'transfer-targets',
    inputmode: 'numeric',
    autocomplete: 'off',
  });
  /** The buttons that act on the selection (disabled while it is empty). */
  private readonly onSelection: HTMLButtonElement[] = [];

  constructor(private readonly host: ActionBarHost) {
    const { t } = host.texts;
    const { context, texts, me } = host;
    this.element.setAttribute('aria-label', t('actions'));
    this.unpinField.append(this.unpinBox, el('label', { for: 'unpin' }, t('unpin')));
    this.kind.append(
      ...(['user', 'queue', 'department'] as const).map((k) => el('option', { value: k }, t(`target.${k}`))),
    );
    const suggestions = el(
      'datalist',
      { id: 'transfer-targets' },
      ...me.pullQueues.map((q) => el('option', { value: q.id }, `${t('target.queue')} ${q.name}`)),
      ...me.pullUsers.map((u) => el('option', { value: u.id }, `${t('target.user')} ${u.name}`)),
    );
    const unpin = () => !this.unpinField.hidden && this.unpinBox.checked;
    this.element.append(
      this.count,
      this.button('pick', 'pick', () => actions.pick(context, texts, host.selected(), unpin())),
      this.unpinField,
      this.button('pull-next', 'pullNext', () => actions.pullNext(context, texts), false),
      this.button('complete', 'complete', () => actions.complete(context, texts, host.selected())),
      el(
        'fieldset',
        { class: 'transfer' },
        el('legend', {}, t('transferTo')),
        el('label', { for: 'transfer-kind' }, t('targetKind')),
        this.kind,
        el('label', { for: 'transfer-target' }, t('targetId')),
        this.target,
        suggestions,
        this.button('transfer', 'transfer', () =>
          actions.transfer(
            context,
            texts,
            host.selected(),
            this.kind.value as actions.TransferKind,
            this.target.value.trim(),
            unpin(),
          ),
        ),
      ),
    );
    this.update();
  }

  private button(testid: string, key: string, run: () => Promise<Outcome>, needsSelection = true) {
    // Not disabled while an action runs (that would drop the keyboard focus): run() waits its turn.
    const button = el('button', { type: 'button', 'data-testid': testid }, this.host.texts.t(key));
    button.addEventListener('click', () => this.host.run(run));
    if (needsSelection) this.onSelection.push(button);
    return button;
  }

  /** The selection changed (or the list was reloaded): counts, enabled buttons, the unpin box. */
  update(): void {
    const selected = this.host.selected();
    const pinnedSelected = selected.some((a) => a.status.assigned?.pinned);
    if (!pinnedSelected) this.unpinBox.checked = false;
    this.unpinField.hidden = !pinnedSelected;
    this.count.textContent = this.host.texts.t('selected', { count: selected.length, max: MAX_SELECTION });
    const focused = document.activeElement;
    for (const button of this.onSelection) button.disabled = selected.length === 0;
    // A button that became disabled under the keyboard focus hands it to the next one that works.
    if (
      focused instanceof HTMLElement &&
      this.element.contains(focused) &&
      (focused as HTMLButtonElement).disabled
    )
      this.element.querySelector<HTMLElement>('button:not(:disabled)')?.focus();
  }
}
