// The four moves an agent makes on the selection, each one request to the public API. A batch is
// all or nothing: a refusal means nothing changed, and its body names the activities and the reason.
import { call, type Activity, type ApiContext } from './api.js';
import type { Texts } from './i18n.js';
import type { Outcome } from './outcome.js';

export type TransferKind = 'user' | 'queue' | 'department';

const bodyOf = (selection: readonly Activity[]) => ({
  activity: selection.map((a) => ({ id: a.id, lastModified: a.lastModified })),
});

async function patch(
  context: ApiContext,
  path: string,
  selection: readonly Activity[] | undefined,
  done: (status: number, body: unknown) => string,
): Promise<Outcome> {
  const result = await call<unknown>(context, 'PATCH', path, selection && bodyOf(selection));
  if (!result.ok) return { kind: 'refused', error: result.error };
  return { kind: 'done', message: done(result.status, result.body) };
}

export const pick = (context: ApiContext, texts: Texts, selection: readonly Activity[], unpin: boolean) =>
  patch(context, `/activity/pick${unpin ? '?unpin=yes' : ''}`, selection, () =>
    texts.t('picked', { count: selection.length }),
  );

export const pullNext = (context: ApiContext, texts: Texts) =>
  patch(context, '/activity/pull', undefined, (status, body) => {
    const count = status === 204 ? 0 : ((body as { activity?: unknown[] })?.activity?.length ?? 0);
    return count === 0 ? texts.t('pulledNone') : texts.t('pulled', { count });
  });

export const transfer = (
  context: ApiContext,
  texts: Texts,
  selection: readonly Activity[],
  kind: TransferKind,
  target: string,
  unpin: boolean,
) =>
  patch(
    context,
    `/activity/transfer/${kind}/${encodeURIComponent(target)}${unpin ? '?unpin=yes' : ''}`,
    selection,
    () => texts.t('transferred', { count: selection.length, target }),
  );

export const complete = (context: ApiContext, texts: Texts, selection: readonly Activity[]) =>
  patch(context, '/activity/complete', selection, (_status, body) => {
    const items = (body as { activity?: { case?: { id: string; status?: { value: string } } }[] })?.activity;
    const closed = (items ?? []).filter((a) => a.case?.status?.value === 'closed').map((a) => a.case!.id);
    return closed.length > 0
      ? texts.t('completedClosed', { count: selection.length, cases: [...new Set(closed)].join(', ') })
      : texts.t('completed', { count: selection.length });
  });
