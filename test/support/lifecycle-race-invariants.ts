// What must hold after the lifecycle race, read from the database. Each check answers the violations
// it found (empty when it holds), so that a red run shows them all at once.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import type { Operation, Outcome } from './lifecycle-race-load.js';
import type { RaceWorld } from './lifecycle-race-world.js';

type ActivityRow = Selectable<Database['activities']>;
type HistoryRow = Selectable<Database['activity_history']>;

/** The state of the database the checks compare: before the run, and after it. */
export interface RaceState {
  readonly activities: ReadonlyMap<string, ActivityRow>;
  readonly history: readonly HistoryRow[];
  readonly cases: readonly { readonly id: string; readonly status: string }[];
}

export async function readState(db: Kysely<Database>): Promise<RaceState> {
  const [activities, history, cases] = await Promise.all([
    db.selectFrom('activities').selectAll().execute(),
    db.selectFrom('activity_history').selectAll().orderBy('id').execute(),
    db.selectFrom('cases').select(['id', 'status']).execute(),
  ]);
  return { activities: new Map(activities.map((a) => [a.id, a])), history, cases };
}

// --- answers ------------------------------------------------------------------------------------

const ACTION_OF: Record<Operation, string> = {
  pick: 'picked',
  pull: 'pulled',
  toUser: 'transferred',
  toQueue: 'transferred',
  toDepartment: 'transferred',
  complete: 'completed',
};

/** Rejections a loser may get, each for a reason the race or the data explains; any other fails. */
const ALWAYS: Record<Operation, readonly string[]> = {
  // stale (another request moved it first), the caller's own already, completed, locked, pinned
  pick: ['409-100', '400-303', '400-304', '403-177', '400-305'],
  // a pull names nothing: it is answered 200 or 204, never refused
  pull: [],
  // … and for a transfer: already the target's (400-307), not in the queue's department (400-308),
  // already in the queue (400-309) or the department (400-310)
  toUser: ['409-100', '400-304', '403-177', '400-305', '400-307'],
  toQueue: ['409-100', '400-304', '403-177', '400-305', '400-308', '400-309'],
  toDepartment: ['409-100', '400-304', '403-177', '400-305', '400-310'],
  // stale, or no longer (or never) the caller's
  complete: ['409-100', '400-312'],
};

export function allowedCodes(outcome: Outcome): Set<string> {
  const codes = new Set(ALWAYS[outcome.operation]);
  // An agent has no Unpin: unpin=yes on a pinned activity is refused naming the action.
  if (outcome.unpin && !outcome.user.supervisor && outcome.operation !== 'pull') codes.add('403-178');
  // A draft response named by mistake (pick rule 9, T2).
  if (outcome.namedDraft) codes.add('400-301');
  return codes;
}

export function unexpectedAnswers(outcomes: readonly Outcome[]): string[] {
  return outcomes.flatMap((o) => {
    const line = `${o.operation} by ${o.user.login} of [${o.ids.join(',')}] → ${o.status}`;
    if (o.status >= 500 || o.status < 200) return [`${line}: ${o.text}`];
    if (o.status < 300) return [];
    return allowedCodes(o).has(o.code ?? '') ? [] : [`${line} ${o.code ?? ''}: ${o.text}`];
  });
}

// --- history against answers -------------------------------------------------------------------

const key = (action: string, by: string, to: string, ids: readonly string[]) =>
  `${action} by ${by} to ${to} of [${[...ids].sort().join(',')}]`;

/**
 * Every 2xx wrote one history row for each activity it named (its drafts moved along with a
 * transferred email besides), all under one request id; no request id names anything else, and no
 * rejected request wrote any. Compared as multisets of (action, caller, destination, activities).
 */
export function historyAgainstAnswers(
  outcomes: readonly Outcome[],
  written: readonly HistoryRow[],
  world: RaceWorld,
  before: RaceState,
): string[] {
  const problems: string[] = [];
  const isDraft = (id: string) => before.activities.get(id)?.is_draft_response === 1;
  const parentOf = (id: string) => before.activities.get(id)?.parent_activity_id ?? null;
  const expected = new Map<string, number>();
  for (const o of outcomes) {
    if (o.status < 200 || o.status >= 300 || o.ids.length === 0) continue;
    const k = key(ACTION_OF[o.operation], o.user.id, o.to, o.ids);
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  const byRequest = new Map<string, HistoryRow[]>();
  for (const row of written) byRequest.set(row.pick_id, [...(byRequest.get(row.pick_id) ?? []), row]);
  const draftsOf = new Map<string, string[]>();
  for (const draft of world.drafts) {
    const parent = parentOf(draft);
    if (parent) draftsOf.set(parent, [...(draftsOf.get(parent) ?? []), draft]);
  }
  for (const [requestId, rows] of byRequest) {
    const first = rows[0];
    if (
      rows.some(
        (r) =>
          r.action !== first.action || r.by_user_id !== first.by_user_id || r.to_user_id !== first.to_user_id,
      )
    )
      problems.push(`request ${requestId} wrote rows of different moves`);
    const named = rows.filter((r) => !isDraft(r.activity_id)).map((r) => r.activity_id);
    if (new Set(rows.map((r) => r.activity_id)).size !== rows.length)
      problems.push(`request ${requestId} wrote two rows for one activity`);
    // Drafts move only with their email, and all of them with it.
    const drafts = rows
      .filter((r) => isDraft(r.activity_id))
      .map((r) => r.activity_id)
      .sort();
    const following =
      first.action === 'transferred' ? named.flatMap((id) => draftsOf.get(id) ?? []).sort() : [];
    if (drafts.join() !== following.join())
      problems.push(
        `request ${requestId} (${first.action}) moved drafts [${drafts.join()}], expected [${following.join()}]`,
      );
    const k = key(first.action, first.by_user_id, first.to_user_id, named);
    const left = expected.get(k) ?? 0;
    if (left === 0) problems.push(`history without a 2xx: ${k}`);
    else expected.set(k, left - 1);
  }
  for (const [k, n] of expected) if (n > 0) problems.push(`2xx without history (${n}×): ${k}`);
  return problems;
}

// --- chains -------------------------------------------------------------------------------------

interface Position {
  status: string;
  userId: string | null;
  queueId: string | null;
  departmentId: string;
}

const positionOf = (row: ActivityRow): Position => ({
  status: row.status,
  userId: row.assigned_user_id,
  queueId: row.queue_id,
  departmentId: row.department_id,
});

/**
 * Each activity's history is one chain: every move starts where the one before left it (the row as
 * it was before the run for the first), nothing follows a complete, a pull takes only from a queue,
 * times move forward; and the chain's end is the row as it is now, down to its lastModified.
 */
export function brokenChains(
  written: readonly HistoryRow[],
  world: RaceWorld,
  before: RaceState,
  after: RaceState,
): string[] {
  const problems: string[] = [];
  const chains = new Map<string, HistoryRow[]>();
  for (const row of written) chains.set(row.activity_id, [...(chains.get(row.activity_id) ?? []), row]);
  for (const [id, row] of after.activities) {
    const start = before.activities.get(id);
    if (!start) {
      problems.push(`${id} appeared during the run`);
      continue;
    }
    const chain = chains.get(id) ?? [];
    const position = positionOf(start);
    let lastMs = Number(start.last_modified_ms);
    for (const [i, entry] of chain.entries()) {
      const at = `${id} entry ${i} (${entry.action} ${entry.from_kind}:${entry.from_id} → ${entry.to_user_id} by ${entry.by_user_id})`;
      if (position.status === 'completed') problems.push(`${at} follows its complete`);
      const from =
        position.status === 'assigned' || position.status === 'completed'
          ? { kind: 'user', id: position.userId }
          : { kind: 'queue', id: position.queueId };
      if (entry.from_kind !== from.kind || entry.from_id !== from.id)
        problems.push(`${at} does not start where it stood (${from.kind}:${from.id})`);
      if (Number(entry.at_ms) <= lastMs) problems.push(`${at} is not later than the move before`);
      lastMs = Number(entry.at_ms);
      const to = entry.to_user_id;
      if (entry.action === 'pulled' && entry.from_kind !== 'queue') problems.push(`${at} pulled from a user`);
      if (entry.action !== 'transferred' && entry.by_user_id !== to) problems.push(`${at} not to its caller`);
      if (entry.action === 'completed') {
        if (from.id !== to) problems.push(`${at} completed someone else's`);
        position.status = 'completed';
      } else if (to.startsWith('queue:')) {
        Object.assign(position, { status: 'awaiting_assignment', userId: null, queueId: to.slice(6) });
      } else if (to.startsWith('department:')) {
        const department = to.slice(11);
        Object.assign(position, {
          status: 'awaiting_assignment',
          userId: null,
          departmentId: department,
          queueId: world.transferQueueOf.get(department) ?? null,
        });
      } else {
        Object.assign(position, { status: 'assigned', userId: to });
      }
    }
    const now = positionOf(row);
    const comparable = (p: Position) =>
      JSON.stringify({ ...p, queueId: p.status === 'awaiting_assignment' ? p.queueId : undefined });
    if (comparable(now) !== comparable(position))
      problems.push(`${id} ends its chain at ${comparable(position)} but its row is ${comparable(now)}`);
    const last = chain.at(-1);
    if (last && Number(row.last_modified_ms) !== Number(last.at_ms))
      problems.push(`${id}: lastModified ${row.last_modified_ms}, its last move at ${last.at_ms}`);
    if (last && !(row.last_action ?? '').startsWith(last.action))
      problems.push(`${id}: last action ${row.last_action}, its last move ${last.action}`);
    if (!last && row.last_modified_ms !== start.last_modified_ms)
      problems.push(`${id} changed without history`);
  }
  return problems;
}

// --- rows and cases -----------------------------------------------------------------------------

/** One owner or one queue, as the status says: assigned and completed rows name a user, queued rows a queue of their department and no user. */
export function ownershipViolations(before: RaceState, after: RaceState, world: RaceWorld): string[] {
  const queueDepartment = new Map(world.queues.map((q) => [q.id, q.departmentId]));
  const problems: string[] = [];
  for (const [id, a] of after.activities) {
    // An activity imported as completed may name nobody; one the race completed keeps its assignee.
    const completedBefore = before.activities.get(id)?.status === 'completed';
    if (a.status === 'assigned' || (a.status === 'completed' && !completedBefore)) {
      if (a.assigned_user_id === null) problems.push(`${id} is ${a.status} to nobody`);
    } else if (a.status === 'awaiting_assignment') {
      if (a.assigned_user_id !== null)
        problems.push(`${id} waits in a queue but is held by ${a.assigned_user_id}`);
      if (a.queue_id === null || queueDepartment.get(a.queue_id) !== a.department_id)
        problems.push(`${id} waits in queue ${a.queue_id}, not one of its department ${a.department_id}`);
      if (a.pinned || a.locked) problems.push(`${id} waits in a queue pinned or locked`);
    }
  }
  return problems;
}

/** No case is closed while one of its activities is not completed, none open with every one completed. */
export function caseViolations(after: RaceState): string[] {
  const openWork = new Map<string, number>();
  const hasActivities = new Set<string>();
  for (const a of after.activities.values()) {
    if (a.case_id === null) continue;
    hasActivities.add(a.case_id);
    if (a.status !== 'completed') openWork.set(a.case_id, (openWork.get(a.case_id) ?? 0) + 1);
  }
  return after.cases.flatMap((c) => {
    const open = openWork.get(c.id) ?? 0;
    if (c.status === 'closed' && open > 0) return [`case ${c.id} is closed with ${open} open activities`];
    if (c.status === 'open' && open === 0 && hasActivities.has(c.id))
      return [`case ${c.id} is open with every activity completed`];
    return [];
  });
}

// --- pulls --------------------------------------------------------------------------------------

/**
 * No pull got an activity another pull also got, unless it went back to a queue in between: per
 * activity, no more pulls than times it waited in a queue (before the run, or after a transfer to a
 * queue or a department); no pull got one twice or more than its user's maxPull.
 */
export function doublePulls(
  outcomes: readonly Outcome[],
  written: readonly HistoryRow[],
  before: RaceState,
): string[] {
  const problems: string[] = [];
  const pulls = new Map<string, number>();
  for (const o of outcomes) {
    if (o.operation !== 'pull' || o.status !== 200) continue;
    if (new Set(o.ids).size !== o.ids.length)
      problems.push(`a pull by ${o.user.login} got [${o.ids.join()}]`);
    if (o.ids.length > o.user.maxPull)
      problems.push(`a pull by ${o.user.login} got ${o.ids.length} > maxPull`);
    for (const id of o.ids) pulls.set(id, (pulls.get(id) ?? 0) + 1);
  }
  const queued = new Map<string, number>();
  for (const [id, a] of before.activities) if (a.status === 'awaiting_assignment') queued.set(id, 1);
  for (const h of written)
    if (h.to_user_id.includes(':')) queued.set(h.activity_id, (queued.get(h.activity_id) ?? 0) + 1);
  for (const [id, n] of pulls) {
    const times = queued.get(id) ?? 0;
    if (n > times) problems.push(`${id} was handed to ${n} pulls but waited in a queue ${times} times`);
  }
  // In order: between two pulls of one activity, a transfer put it back in a queue.
  const waiting = new Map([...before.activities].map(([id, a]) => [id, a.status === 'awaiting_assignment']));
  for (const h of written) {
    if (h.action === 'pulled' && !waiting.get(h.activity_id))
      problems.push(
        `${h.activity_id} pulled by ${h.to_user_id} (history ${h.id}) while not waiting in a queue`,
      );
    waiting.set(h.activity_id, h.to_user_id.includes(':'));
  }
  return problems;
}
