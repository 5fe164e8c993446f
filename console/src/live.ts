// The live stream: any event refreshes what is on screen (coalesced, well within a second), and an
// activity taken away from the agent by someone else raises the banner, naming who took it.
import { call, type ApiContext, type Me, type SearchPage } from './api.js';
import { el } from './dom.js';
import { openEventStream } from './event-stream.js';
import type { Texts } from './i18n.js';

const REFRESH_DELAY_MS = 150;

interface Transition {
  readonly activity?: { readonly id: string };
  readonly transition?: {
    readonly actor?: { readonly user?: { readonly id: string } };
    readonly source?: { readonly user?: { readonly id: string } | null };
    readonly target?: { readonly user?: { readonly id: string } | null };
  };
}

/** Who took it: a colleague the agent knows, or the activity's new assignee as the API names them. */
async function nameOf(
  context: ApiContext,
  me: Me['user'],
  userId: string,
  activityId: string,
): Promise<string> {
  const known = me.pullUsers.find((u) => u.id === userId);
  if (known) return known.name;
  const read = await call<SearchPage>(context, 'GET', `/activity/${activityId}`);
  const assigned = read.ok ? read.body?.activity[0]?.status.assigned?.user : undefined;
  return assigned?.id === userId && assigned.name ? assigned.name : userId;
}

export function watchLive(
  context: ApiContext,
  texts: Texts,
  me: Me['user'],
  banner: HTMLElement,
  refresh: () => Promise<void>,
): () => void {
  let pending: ReturnType<typeof setTimeout> | undefined;
  const scheduleRefresh = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      void refresh();
    }, REFRESH_DELAY_MS);
  };
  const announce = async (payload: Transition) => {
    const transition = payload.transition;
    const from = transition?.source?.user?.id;
    const actor = transition?.actor?.user?.id;
    const activityId = payload.activity?.id;
    if (from !== me.id || !activityId || transition?.target?.user?.id === me.id || actor === me.id) return;
    const who = actor ? await nameOf(context, me, actor, activityId) : texts.t('someone');
    banner.replaceChildren(
      el(
        'p',
        { 'data-testid': 'taken-notice', 'data-activity-id': activityId },
        texts.t('takenFromYou', { id: activityId, who }),
      ),
    );
  };
  return openEventStream(context, {
    onConnection: () => undefined,
    onEvent: (event) => {
      scheduleRefresh();
      if (event.event !== 'activity_transition') return;
      const envelope = JSON.parse(event.data) as { messages?: { payload?: Transition }[] };
      for (const message of envelope.messages ?? []) if (message.payload) void announce(message.payload);
    },
  });
}
