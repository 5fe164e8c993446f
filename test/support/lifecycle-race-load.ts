// The lifecycle race's load: workers that each, until the deadline, let a random agent or supervisor
// pick, pull, transfer (to a user, a queue or a department) or complete a random overlapping batch of
// the hot activities through one of the instances, and record what every request was answered.
// Each worker draws from its own PRNG seeded from the run's seed, so a seed replays the same choices
// (which interleaving they meet is up to the machine).
import { mulberry32 } from '../../src/org/organisation-generator.js';
import { ACTIVITY_PATH } from './lifecycle-requests.js';
import type { RaceUser, RaceWorld } from './lifecycle-race-world.js';
import type { TestService } from './test-service.js';

export const OPERATIONS = ['pick', 'pull', 'toUser', 'toQueue', 'toDepartment', 'complete'] as const;
export type Operation = (typeof OPERATIONS)[number];
const WEIGHTS: Record<Operation, number> = {
  pick: 22,
  pull: 22,
  toUser: 14,
  toQueue: 14,
  toDepartment: 10,
  complete: 18,
};

export interface Outcome {
  readonly operation: Operation;
  readonly user: RaceUser;
  /** The activities named in the body; for a pull, those the answer listed. */
  readonly ids: readonly string[];
  /** What the history records as `to_user_id` for a success: a user id, `queue:ID` or `department:ID`. */
  readonly to: string;
  readonly unpin: boolean;
  readonly namedDraft: boolean;
  /** One lastModified was sent a millisecond off on purpose (a 409-100 then needs no race). */
  readonly stale: boolean;
  readonly status: number;
  readonly code: string | undefined;
  /** The body of a non-2xx answer, for the failure message. */
  readonly text: string;
}

type Random = () => number;
const below = (random: Random, n: number) => Math.floor(random() * n);

function operationOf(random: Random): Operation {
  let roll = random() * OPERATIONS.reduce((sum, op) => sum + WEIGHTS[op], 0);
  for (const op of OPERATIONS) if ((roll -= WEIGHTS[op]) < 0) return op;
  return 'pick';
}

/** Mostly one to four, now and then up to twenty, always from the same hot set. */
function batchOf(random: Random, world: RaceWorld): string[] {
  const size = random() < 0.85 ? 1 + below(random, 4) : 1 + below(random, 20);
  const batch = new Set<string>();
  while (batch.size < size) batch.add(world.hot[below(random, world.hot.length)]);
  if (random() < 0.03 && world.drafts.length > 0) batch.add(world.drafts[below(random, world.drafts.length)]);
  return [...batch];
}

export interface RaceLoad {
  readonly instances: readonly TestService[];
  readonly world: RaceWorld;
  readonly seed: number;
  readonly workers: number;
  readonly runMs: number;
}

export async function runRace({ instances, world, seed, workers, runMs }: RaceLoad): Promise<Outcome[]> {
  const db = instances[0].database.db;
  const outcomes: Outcome[] = [];
  const draftIds = new Set(world.drafts);
  const hotIds = new Set(world.hot);

  const send = async (instance: TestService, user: RaceUser, path: string, body?: unknown) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return instance.request({
      method: 'PATCH',
      path: `${ACTIVITY_PATH}${path}`,
      headers: {
        authorization: `Bearer ${instance.token(user.login)}`,
        ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(text !== undefined ? { body: text } : {}),
    });
  };

  /** The batch's rows as the client last saw them: its department and lastModified. */
  const seen = async (ids: readonly string[]) =>
    new Map(
      (
        await db
          .selectFrom('activities')
          .select(['id', 'department_id', 'queue_id', 'status', 'last_modified_ms'])
          .where('id', 'in', ids)
          .execute()
      ).map((r) => [
        r.id,
        {
          departmentId: r.department_id,
          waitsIn: r.status === 'awaiting_assignment' ? r.queue_id : null,
          lastModifiedMs: Number(r.last_modified_ms),
        },
      ]),
    );

  const step = async (random: Random, instance: TestService) => {
    const operation = operationOf(random);
    const user = world.users[below(random, world.users.length)];
    let ids = batchOf(random, world);
    const stale = random() < 0.1;
    const unpin = random() < 0.5;
    const reassign = random() < 0.2;
    const alsoNext = random() < 0.3;
    const targetRoll = random();
    const sameDepartment = random() < 0.7;
    const pinQuery = (extra: string[] = []) => {
      const query = [...(unpin ? ['unpin=yes'] : []), ...extra].join('&');
      return query ? `?${query}` : '';
    };
    let path: string;
    let to: string;
    switch (operation) {
      case 'pull': {
        const answer = await send(instance, user, '/pull');
        const pulled =
          answer.status === 200
            ? answer.json<{ activity: { id: string }[] }>().activity.map((a) => a.id)
            : [];
        outcomes.push(
          record(
            { operation, user, ids: pulled, to: user.id, unpin: false, namedDraft: false, stale: false },
            answer,
          ),
        );
        return;
      }
      case 'pick':
        path = `/pick${pinQuery()}`;
        to = user.id;
        break;
      case 'toUser':
        to = world.users[Math.floor(targetRoll * world.users.length)].id;
        path = `/transfer/user/${to}${pinQuery(reassign ? ['reassign=yes'] : [])}`;
        break;
      case 'toQueue': {
        // Mostly another queue of the first activity's department, with the batch's others of that
        // department not already in it (T6 refuses the rest with 400-308 and 400-309).
        const rows = await seen(ids);
        const first = rows.get(ids[0]);
        const own = world.queues.filter(
          (q) => q.departmentId === first?.departmentId && q.id !== first.waitsIn,
        );
        const choices = sameDepartment && own.length > 0 ? own : world.queues;
        const queue = choices[Math.floor(targetRoll * choices.length)].id;
        const fitting = ids.filter(
          (id) => rows.get(id)?.departmentId === first?.departmentId && rows.get(id)?.waitsIn !== queue,
        );
        if (sameDepartment && fitting.length > 0) ids = fitting;
        to = `queue:${queue}`;
        path = `/transfer/queue/${queue}${pinQuery(reassign ? ['reassign=yes'] : [])}`;
        break;
      }
      case 'toDepartment': {
        // Mostly without the activities already there (T6 refuses them with 400-310).
        const department = world.departments[Math.floor(targetRoll * world.departments.length)];
        if (sameDepartment) {
          const rows = await seen(ids);
          const elsewhere = ids.filter((id) => rows.get(id)?.departmentId !== department);
          if (elsewhere.length > 0) ids = elsewhere;
        }
        to = `department:${department}`;
        path = `/transfer/department/${department}${pinQuery(reassign ? ['reassign=yes'] : [])}`;
        break;
      }
      case 'complete': {
        // Mostly the caller's own work, now and then someone else's too (400-312).
        const held = (
          await db
            .selectFrom('activities')
            .select('id')
            .where('assigned_user_id', '=', user.id)
            .where('status', '=', 'assigned')
            .where('is_draft_response', '=', 0)
            .orderBy('id')
            .execute()
        )
          .map((r) => r.id)
          .filter((id) => hotIds.has(id));
        // One of them, now and then the next one too (cases are pairs of consecutive activities).
        const first = Math.floor(targetRoll * held.length);
        const own = held.slice(first, first + (alsoNext ? 2 : 1));
        ids = [...new Set([...own, ...(sameDepartment ? [] : ids.slice(0, 1))])].filter(
          (id) => !draftIds.has(id),
        );
        if (ids.length === 0) return;
        path = '/complete';
        to = user.id;
        break;
      }
    }
    // Each activity's stored lastModified, one of them stale now and then.
    const versions = await seen(ids);
    const body = {
      activity: ids.map((id, i) => ({
        id,
        lastModified: new Date(versions.get(id)!.lastModifiedMs - (stale && i === 0 ? 1 : 0)).toISOString(),
      })),
    };
    const answer = await send(instance, user, path, body);
    const namedDraft = ids.some((id) => draftIds.has(id));
    const sentUnpin = operation !== 'complete' && unpin;
    outcomes.push(record({ operation, user, ids, to, unpin: sentUnpin, namedDraft, stale }, answer));
  };

  // runMs, and longer (up to four times) only until every operation has succeeded once: a run too
  // slow to exercise one of them would otherwise pass without having tested it.
  const start = Date.now();
  const wonBy = new Set<Operation>();
  const goOn = () => {
    const elapsed = Date.now() - start;
    if (elapsed < runMs) return true;
    for (const o of outcomes) if (o.status >= 200 && o.status < 300) wonBy.add(o.operation);
    return wonBy.size < OPERATIONS.length && elapsed < 4 * runMs;
  };
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const random = mulberry32(seed * 31 + w);
      const instance = instances[w % instances.length];
      while (goOn()) await step(random, instance);
    }),
  );
  return outcomes;
}

function record(
  request: Omit<Outcome, 'status' | 'code' | 'text'>,
  answer: { status: number; text: string; json<T>(): T },
): Outcome {
  const failed = answer.status >= 300;
  let code: string | undefined;
  if (failed) {
    try {
      code = answer.json<{ code?: string }>().code;
    } catch {
      code = undefined;
    }
  }
  return { ...request, status: answer.status, code, text: failed ? answer.text : '' };
}
