// The signed-in console: header, live banner, the three views (my work, queues, colleagues), one
// activity list with its pager and sort, the action bar and the outcome of the last action. State
// lives here; each change re-renders the part it touches.
import * as actions from './actions.js';
import { activityTable, MAX_SELECTION } from './activity-table.js';
import { call, type Activity, type ApiContext, type Me, type SearchPage } from './api.js';
import { el, keepingFocus } from './dom.js';
import type { Texts } from './i18n.js';
import { renderOutcome, type Outcome } from './outcome.js';

export type Source =
  | { readonly kind: 'mine' }
  | { readonly kind: 'queue'; readonly id: string; readonly name: string }
  | { readonly kind: 'user'; readonly id: string; readonly name: string };
type View = 'mine' | 'queues' | 'colleagues';

export const PAGE_SIZES = [25, 50] as const;
const SORTS = ['id', 'created', 'lastModified', 'dueDate', 'case', 'department'] as const;

export interface ConsoleChrome {
  readonly header: HTMLElement;
  readonly banner: HTMLElement;
}

export class ConsoleApp {
  private view: View = 'mine';
  private source: Source = { kind: 'mine' };
  private page = 1;
  private pageSize: number = PAGE_SIZES[0];
  private sort: string = 'id';
  private order: 'asc' | 'desc' = 'asc';
  private items: readonly Activity[] = [];
  private count = 0;
  private loadError: string | undefined;
  private readonly selection = new Map<string, Activity>();
  private outcome: Outcome | undefined;
  private unpin = false;
  private transferKind: actions.TransferKind = 'user';
  private transferTarget = '';
  private busy = false;
  private queueCounts = new Map<string, number | undefined>();
  private heldCounts = new Map<string, number | undefined>();
  private loadSequence = 0;

  private readonly nav = el('nav', { 'aria-label': '' });
  private readonly aside = el('div', { class: 'side' });
  private readonly list = el('section', { class: 'list', 'aria-labelledby': 'list-heading' });
  private readonly bar = el('div', { class: 'actions', role: 'group' });
  private readonly okRegion = el('div', { role: 'status', 'data-testid': 'outcome-status' });
  private readonly alertRegion = el('div', { role: 'alert', 'data-testid': 'outcome-alert' });

  constructor(
    private readonly context: ApiContext,
    private readonly texts: Texts,
    private readonly me: Me['user'],
  ) {}

  mount(root: HTMLElement, chrome: ConsoleChrome): void {
    this.nav.setAttribute('aria-label', this.texts.t('views'));
    this.bar.setAttribute('aria-label', this.texts.t('actions'));
    const main = el(
      'main',
      { id: 'main' },
      this.nav,
      el('div', { class: 'workspace' }, this.aside, el('div', { class: 'work' }, this.list, this.bar)),
      this.okRegion,
      this.alertRegion,
    );
    root.replaceChildren(chrome.header, chrome.banner, main);
    this.renderNav();
    this.renderBar();
    void this.showView('mine');
  }

  /** Something changed on the server (the live stream): reload what is on screen. */
  async refresh(): Promise<void> {
    await Promise.all([this.load(), this.view === 'mine' ? undefined : this.loadSideCounts()]);
  }

  private get t() {
    return this.texts.t;
  }

  private async showView(view: View): Promise<void> {
    this.view = view;
    this.renderNav();
    if (view === 'mine') this.setSource({ kind: 'mine' });
    this.renderSide();
    if (view !== 'mine') await this.loadSideCounts();
    if (view === 'queues' && this.source.kind !== 'queue') {
      const first = this.me.pullQueues[0];
      if (first) this.setSource({ kind: 'queue', id: first.id, name: first.name });
      else this.setSource(undefined);
    }
    if (view === 'colleagues' && this.source.kind !== 'user') {
      const first = this.me.pullUsers[0];
      if (first) this.setSource({ kind: 'user', id: first.id, name: first.name });
      else this.setSource(undefined);
    }
  }

  private setSource(source: Source | undefined): void {
    this.selection.clear();
    this.page = 1;
    this.items = [];
    this.count = 0;
    if (!source) {
      this.list.replaceChildren(el('p', { 'data-testid': 'nothing-to-show' }, this.t('noneAvailable')));
      this.renderBar();
      return;
    }
    this.source = source;
    this.renderSide();
    void this.load();
  }

  private searchQuery(): string {
    const source = this.source;
    const query = new URLSearchParams();
    if (source.kind === 'mine') query.set('assignedTo', this.me.id);
    if (source.kind === 'user') query.set('assignedTo', source.id);
    if (source.kind === 'queue') query.set('queueID', source.id);
    query.set('status', source.kind === 'queue' ? 'awaiting_assignment' : 'open');
    query.set('$pagenum', String(this.page));
    query.set('$pagesize', String(this.pageSize));
    if (this.sort !== 'id' || this.order !== 'asc') {
      query.set('$sort', this.sort);
      query.set('$order', this.order);
    }
    return query.toString();
  }

  private async load(): Promise<void> {
    const sequence = ++this.loadSequence;
    const result = await call<SearchPage>(this.context, 'GET', `/activity?${this.searchQuery()}`).catch(
      (error: unknown) => ({
        ok: false as const,
        status: 0,
        error: { code: 'network', developerMessage: String(error) },
      }),
    );
    // A newer load (another page, another queue) started meanwhile: its answer wins.
    if (sequence !== this.loadSequence) return;
    if (!result.ok) {
      this.loadError = `${result.error.code}: ${result.error.developerMessage}`;
    } else {
      this.loadError = undefined;
      this.items = result.body?.activity ?? [];
      this.count = result.body?.paginationInfo?.count ?? 0;
      if (this.items.length === 0 && this.page > 1 && this.count > 0) {
        this.page = Math.ceil(this.count / this.pageSize);
        return this.load();
      }
      // A selected activity that changed is kept with its new lastModified; one that left is dropped.
      const shown = new Map(this.items.map((a) => [a.id, a]));
      for (const id of [...this.selection.keys()]) {
        const now = shown.get(id);
        if (now) this.selection.set(id, now);
      }
    }
    this.renderList();
    this.renderBar();
  }

  /** Counts beside each queue (waiting) and colleague (holding): one-row searches, never the lists. */
  private async loadSideCounts(): Promise<void> {
    const countOf = async (query: string) => {
      // A count that cannot be had shows as unknown (…) rather than breaking the list beside it.
      const result = await call<SearchPage>(this.context, 'GET', `/activity?${query}&$pagesize=1`).catch(
        () => undefined,
      );
      return result?.ok ? (result.body?.paginationInfo?.count ?? 0) : undefined;
    };
    if (this.view === 'queues') {
      const counts = await Promise.all(
        this.me.pullQueues.map((q) => countOf(`queueID=${q.id}&status=awaiting_assignment`)),
      );
      this.queueCounts = new Map(this.me.pullQueues.map((q, i) => [q.id, counts[i]]));
    }
    if (this.view === 'colleagues') {
      const counts = await Promise.all(
        this.me.pullUsers.map((u) => countOf(`assignedTo=${u.id}&status=open`)),
      );
      this.heldCounts = new Map(this.me.pullUsers.map((u, i) => [u.id, counts[i]]));
    }
    this.renderSide();
  }

  private renderNav(): void {
    const tab = (view: View, key: string) => {
      const button = el(
        'button',
        {
          type: 'button',
          'data-testid': `tab-${view}`,
          'aria-current': this.view === view ? 'page' : undefined,
        },
        this.t(key),
      );
      button.addEventListener('click', () => void this.showView(view));
      return button;
    };
    keepingFocus(this.nav, () =>
      this.nav.replaceChildren(
        tab('mine', 'myWork'),
        tab('queues', 'queues'),
        tab('colleagues', 'colleagues'),
      ),
    );
  }

  private renderSide(): void {
    if (this.view === 'mine') {
      this.aside.replaceChildren();
      this.aside.hidden = true;
      return;
    }
    this.aside.hidden = false;
    const queues = this.view === 'queues';
    const entries = queues
      ? this.me.pullQueues.map((q) => ({ id: q.id, name: q.name, count: this.queueCounts.get(q.id) }))
      : this.me.pullUsers.map((u) => ({ id: u.id, name: u.name, count: this.heldCounts.get(u.id) }));
    const items = entries.map((entry) => {
      const current = this.source.kind !== 'mine' && this.source.id === entry.id;
      const button = el(
        'button',
        {
          type: 'button',
          'data-testid': queues ? 'queue' : 'colleague',
          [queues ? 'data-queue-id' : 'data-user-id']: entry.id,
          'aria-pressed': current ? 'true' : 'false',
        },
        el('span', {}, entry.name),
        ' ',
        el(
          'span',
          { class: 'count', 'data-testid': 'count' },
          entry.count === undefined ? '…' : String(entry.count),
        ),
      );
      button.addEventListener('click', () =>
        this.setSource({ kind: queues ? 'queue' : 'user', id: entry.id, name: entry.name }),
      );
      return el('li', {}, button);
    });
    const heading = this.t(queues ? 'queuesHeading' : 'colleaguesHeading');
    keepingFocus(this.aside, () =>
      this.aside.replaceChildren(
        el('h2', { id: 'side-heading' }, heading),
        items.length === 0
          ? el('p', {}, this.t('noneAvailable'))
          : el(
              'ul',
              { 'data-testid': queues ? 'queue-list' : 'colleague-list', 'aria-labelledby': 'side-heading' },
              ...items,
            ),
      ),
    );
  }

  private listTitle(): string {
    const source = this.source;
    if (source.kind === 'mine') return this.t('myWork');
    if (source.kind === 'queue') return this.t('waitingIn', { name: source.name });
    return this.t('heldBy', { name: source.name });
  }

  private renderList(): void {
    const pages = Math.max(1, Math.ceil(this.count / this.pageSize));
    const sortSelect = el(
      'select',
      { id: 'sort', 'data-testid': 'sort' },
      ...SORTS.map((s) => el('option', { value: s, selected: s === this.sort }, this.t(`sort.${s}`))),
    );
    sortSelect.addEventListener('change', () => {
      this.sort = sortSelect.value;
      this.page = 1;
      void this.load();
    });
    const orderSelect = el(
      'select',
      { id: 'order', 'data-testid': 'order' },
      el('option', { value: 'asc', selected: this.order === 'asc' }, this.t('ascending')),
      el('option', { value: 'desc', selected: this.order === 'desc' }, this.t('descending')),
    );
    orderSelect.addEventListener('change', () => {
      this.order = orderSelect.value === 'desc' ? 'desc' : 'asc';
      this.page = 1;
      void this.load();
    });
    const sizeSelect = el(
      'select',
      { id: 'page-size', 'data-testid': 'page-size' },
      ...PAGE_SIZES.map((n) => el('option', { value: String(n), selected: n === this.pageSize }, String(n))),
    );
    sizeSelect.addEventListener('change', () => {
      this.pageSize = Number(sizeSelect.value);
      this.page = 1;
      void this.load();
    });
    const pageButton = (testid: string, key: string, page: number, disabled: boolean) => {
      const button = el('button', { type: 'button', 'data-testid': testid, disabled }, this.t(key));
      button.addEventListener('click', () => {
        this.page = page;
        void this.load();
      });
      return button;
    };
    const handlers = {
      isSelected: (id: string) => this.selection.has(id),
      canSelectMore: () => this.selection.size < MAX_SELECTION,
      toggle: (activity: Activity, selected: boolean) => {
        if (selected) this.selection.set(activity.id, activity);
        else this.selection.delete(activity.id);
        this.renderBar();
        this.updateSelectability();
      },
    };
    keepingFocus(this.list, () =>
      this.list.replaceChildren(
        el('h2', { id: 'list-heading', 'data-testid': 'list-heading' }, this.listTitle()),
        el(
          'div',
          { class: 'controls' },
          el('label', { for: 'sort' }, this.t('sortBy')),
          sortSelect,
          el('label', { for: 'order' }, this.t('order')),
          orderSelect,
          el('label', { for: 'page-size' }, this.t('pageSize')),
          sizeSelect,
        ),
        ...(this.loadError ? [el('p', { class: 'error', 'data-testid': 'load-error' }, this.loadError)] : []),
        this.items.length === 0
          ? el('p', { 'data-testid': 'empty-list' }, this.t('empty'))
          : activityTable(this.items, this.texts, handlers, this.listTitle()),
        el(
          'div',
          { class: 'pager' },
          pageButton('pager-prev', 'previous', this.page - 1, this.page <= 1),
          el(
            'span',
            { 'data-testid': 'page-info' },
            this.t('pageInfo', { page: this.page, pages, count: this.count }),
          ),
          pageButton('pager-next', 'next', this.page + 1, this.page >= pages),
        ),
      ),
    );
  }

  private updateSelectability(): void {
    const full = this.selection.size >= MAX_SELECTION;
    for (const box of this.list.querySelectorAll<HTMLInputElement>('[data-testid="select-activity"]'))
      box.disabled = full && !box.checked;
  }

  private renderBar(): void {
    const selected = [...this.selection.values()];
    const pinnedSelected = selected.some((a) => a.status.assigned?.pinned);
    if (!pinnedSelected) this.unpin = false;
    const button = (testid: string, key: string, run: () => Promise<Outcome>, needsSelection = true) => {
      const b = el(
        'button',
        {
          type: 'button',
          'data-testid': testid,
          // Not disabled while an action runs (that would drop the keyboard focus): run() waits its turn.
          disabled: needsSelection && selected.length === 0,
        },
        this.t(key),
      );
      b.addEventListener('click', () => void this.run(run));
      return b;
    };
    const unpinBox = el('input', {
      type: 'checkbox',
      id: 'unpin',
      'data-testid': 'unpin',
      checked: this.unpin,
    });
    unpinBox.addEventListener('change', () => (this.unpin = unpinBox.checked));
    const kind = el(
      'select',
      { id: 'transfer-kind', 'data-testid': 'transfer-kind' },
      ...(['user', 'queue', 'department'] as const).map((k) =>
        el('option', { value: k, selected: k === this.transferKind }, this.t(`target.${k}`)),
      ),
    );
    kind.addEventListener('change', () => (this.transferKind = kind.value as actions.TransferKind));
    const target = el('input', {
      id: 'transfer-target',
      'data-testid': 'transfer-target',
      list: 'transfer-targets',
      inputmode: 'numeric',
      autocomplete: 'off',
      value: this.transferTarget,
    });
    target.addEventListener('input', () => (this.transferTarget = target.value));
    const suggestions = el(
      'datalist',
      { id: 'transfer-targets' },
      ...this.me.pullQueues.map((q) => el('option', { value: q.id }, `${this.t('target.queue')} ${q.name}`)),
      ...this.me.pullUsers.map((u) => el('option', { value: u.id }, `${this.t('target.user')} ${u.name}`)),
    );
    const transferButton = button('transfer', 'transfer', () =>
      actions.transfer(
        this.context,
        this.texts,
        selected,
        this.transferKind,
        this.transferTarget.trim(),
        this.unpin,
      ),
    );
    keepingFocus(this.bar, () =>
      this.bar.replaceChildren(
        el(
          'p',
          { 'data-testid': 'selection-count' },
          this.t('selected', { count: selected.length, max: MAX_SELECTION }),
        ),
        button('pick', 'pick', () => actions.pick(this.context, this.texts, selected, this.unpin)),
        ...(pinnedSelected
          ? [el('span', { class: 'unpin' }, unpinBox, el('label', { for: 'unpin' }, this.t('unpin')))]
          : []),
        button('pull-next', 'pullNext', () => actions.pullNext(this.context, this.texts), false),
        button('complete', 'complete', () => actions.complete(this.context, this.texts, selected)),
        el(
          'fieldset',
          { class: 'transfer' },
          el('legend', {}, this.t('transferTo')),
          el('label', { for: 'transfer-kind' }, this.t('targetKind')),
          kind,
          el('label', { for: 'transfer-target' }, this.t('targetId')),
          target,
          suggestions,
          transferButton,
        ),
      ),
    );
  }

  private async run(action: () => Promise<Outcome>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.bar.setAttribute('aria-busy', 'true');
    try {
      this.outcome = await action();
    } catch (error) {
      this.outcome = { kind: 'failed', reason: String(error) };
    } finally {
      this.busy = false;
      this.bar.removeAttribute('aria-busy');
    }
    if (this.outcome.kind === 'done') this.selection.clear();
    this.okRegion.replaceChildren(
      ...(this.outcome.kind === 'done' ? renderOutcome(this.outcome, this.texts) : []),
    );
    this.alertRegion.replaceChildren(
      ...(this.outcome.kind !== 'done' ? renderOutcome(this.outcome, this.texts) : []),
    );
    await this.refresh();
  }
}
