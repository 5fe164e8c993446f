// The data of the --moves scenarios, on the seeded store (lifecycle-seed.ts), and the work lists
// built from it before every run. Three disjoint pools of inbound emails, taken from the completed
// ones once (outside every timed window), so that no run runs dry:
//   - transfer: waiting in the first queue of their department; a request moves a batch to the
//     department's second queue, or back (a batch goes wherever it is not); nothing to reset;
//   - complete: one activity per case, assigned to a bench agent of its department; completing
//     them closes some cases; before each run they are assigned again and their cases opened;
//   - pull: moved to the hot desk's first queue (the hot desk's two queues are the pull options of
//     all 50 bench agents); before each run the pulled ones wait again, at their original place.
// PostgreSQL is vacuumed after each reset (dead row versions at the head of a queue would make the
// run after a reset slower than the first); SQLite is analysed.
import SqliteDatabase from 'better-sqlite3';
import type { BenchDatabase } from './bench-database.js';
import type { SeedBase } from './lifecycle-seed.js';
import { HOT_DEPARTMENT, HOT_QUEUE, PULL_QUEUE_2 } from './organisation.js';
import type { BenchCaller } from './scenarios.js';

export const PULL_QUEUES = [HOT_QUEUE, PULL_QUEUE_2] as const;

export interface MovePools {
  readonly transfer: number;
  readonly complete: readonly string[];
  readonly completeCases: readonly string[];
  readonly pull: number;
  /** The two queues of each department that transfers move between. */
  readonly queuePairs: ReadonlyMap<string, readonly [string, string]>;
}

const CHUNK = 1000;

const writers = new Map<string, SqliteDatabase.Database>();

/** A writing statement (BenchDatabase.rows reads SQLite through a read-only connection). */
async function exec(database: BenchDatabase, sql: string, params: readonly unknown[] = []): Promise<void> {
  if (database.dialect === 'postgres') {
    await database.rows(sql, params);
    return;
  }
  let writer = writers.get(database.target);
  if (!writer) {
    writer = new SqliteDatabase(database.target);
    writer.pragma('busy_timeout = 5000');
    writers.set(database.target, writer);
  }
  writer.prepare(sql).run(...params);
}

/** Closes the SQLite writer of this database (before it is dropped). */
export function closeWriter(database: BenchDatabase): void {
  writers.get(database.target)?.close();
  writers.delete(database.target);
}

async function inChunks(ids: readonly string[], each: (chunk: readonly string[]) => Promise<void>) {
  for (let i = 0; i < ids.length; i += CHUNK) await each(ids.slice(i, i + CHUNK));
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * Takes the pools from the completed inbound emails (round-robin, so each pool spreads over the
 * departments and the year): `perPool` each for transfer and complete, half of it for pull.
 */
export async function setUpPools(
  database: BenchDatabase,
  base: SeedBase,
  agentsOf: ReadonlyMap<string, readonly BenchCaller[]>,
  perPool: number,
): Promise<MovePools> {
  const queuePairs = new Map<string, readonly [string, string]>();
  for (const d of base.departments) {
    const queues = base.queuesOf.get(d.id) ?? [];
    if (queues.length >= 2 && (agentsOf.get(d.id)?.length ?? 0) > 0)
      queuePairs.set(d.id, [queues[0], queues[1]]);
  }
  const rows = await database.rows<{ id: string; department_id: string; case_id: string | null }>(
    `select id, department_id, case_id from activities
     where type = 'email' and mode = 'inbound' and is_draft_response = 0 and status = 'completed'
       and department_id <> ? order by length(id), id`,
    [HOT_DEPARTMENT],
  );
  const transfer = new Map<string, string[]>();
  const complete: { id: string; department: string; caseId: string }[] = [];
  const pull: string[] = [];
  const usedCases = new Set<string>();
  let transferCount = 0;
  const pullQuota = Math.floor(perPool / 2);
  for (const [i, row] of rows.entries()) {
    const want = i % 3;
    if (want === 0 && transferCount < perPool && queuePairs.has(row.department_id)) {
      transfer.set(row.department_id, [...(transfer.get(row.department_id) ?? []), row.id]);
      transferCount++;
    } else if (
      want === 1 &&
      complete.length < perPool &&
      row.case_id !== null &&
      !usedCases.has(row.case_id) &&
      (agentsOf.get(row.department_id)?.length ?? 0) > 0
    ) {
      usedCases.add(row.case_id);
      complete.push({ id: row.id, department: row.department_id, caseId: row.case_id });
    } else if (want === 2 && pull.length < pullQuota) {
      pull.push(row.id);
    }
  }
  for (const [department, ids] of transfer) {
    await inChunks(ids, (chunk) =>
      exec(
        database,
        `update activities set status = 'awaiting_assignment', substatus = 'ready_for_assignment',
           queue_id = ?, assigned_user_id = null, pinned = 0, locked = 0 where id in (${marks(chunk.length)})`,
        [queuePairs.get(department)![0], ...chunk],
      ),
    );
  }
  // Dealt round-robin to the department's agents.
  const turn = new Map<string, number>();
  const byAgent = new Map<string, string[]>();
  for (const c of complete) {
    const agents = agentsOf.get(c.department)!;
    const k = turn.get(c.department) ?? 0;
    turn.set(c.department, k + 1);
    const agent = agents[k % agents.length].id;
    byAgent.set(agent, [...(byAgent.get(agent) ?? []), c.id]);
  }
  for (const [agent, ids] of byAgent) {
    await inChunks(ids, (chunk) =>
      exec(
        database,
        `update activities set status = 'assigned', substatus = 'in_progress', assigned_user_id = ?,
           pinned = 0, locked = 0 where id in (${marks(chunk.length)})`,
        [agent, ...chunk],
      ),
    );
  }
  const completeIds = complete.map((c) => c.id);
  const completeCases = complete.map((c) => c.caseId);
  await openCases(database, completeCases);
  // All in the first pull queue, each waiting since it was created. The ceiling replays one offer
  // (the first queue's); the service reads the second queue only once the first is empty, so the
  // first must not run dry during a run.
  await inChunks(pull, (chunk) =>
    exec(
      database,
      `update activities set department_id = ?, status = 'awaiting_assignment', substatus = 'ready_for_assignment',
         queue_id = ?, assigned_user_id = null, pinned = 0, locked = 0, last_modified_ms = created_ms
       where id in (${marks(chunk.length)})`,
      [HOT_DEPARTMENT, HOT_QUEUE, ...chunk],
    ),
  );
  await tidy(database);
  return { transfer: transferCount, complete: completeIds, completeCases, pull: pull.length, queuePairs };
}

async function openCases(database: BenchDatabase, caseIds: readonly string[]) {
  await inChunks(caseIds, (chunk) =>
    exec(
      database,
      `update cases set status = 'open', closed_ms = null where status <> 'open' and id in (${marks(chunk.length)})`,
      [...chunk],
    ),
  );
}

/** Vacuum (PostgreSQL) or analyse (SQLite) after a reset, outside every timed window. */
export async function tidy(database: BenchDatabase): Promise<void> {
  await exec(database, database.dialect === 'postgres' ? 'vacuum analyze activities' : 'analyze');
  if (database.dialect === 'postgres') await exec(database, 'vacuum analyze cases');
}

/** The complete pool assigned again (to the agent who holds it) and its cases open. */
export async function resetComplete(database: BenchDatabase, pools: MovePools): Promise<void> {
  await inChunks(pools.complete, (chunk) =>
    exec(
      database,
      `update activities set status = 'assigned', substatus = 'in_progress'
       where status = 'completed' and id in (${marks(chunk.length)})`,
      [...chunk],
    ),
  );
  await openCases(database, pools.completeCases);
  await tidy(database);
}

/** What the pulls took waits again, where it was (its lastModified back to its creation). */
export async function resetPull(database: BenchDatabase): Promise<void> {
  await exec(
    database,
    `update activities set status = 'awaiting_assignment', substatus = 'ready_for_assignment',
       assigned_user_id = null, last_modified_ms = created_ms
     where queue_id in (?, ?) and status <> 'awaiting_assignment'`,
    [...PULL_QUEUES],
  );
  await tidy(database);
}

export interface TransferItem {
  readonly id: string;
  readonly departmentId: string;
  readonly queueId: string;
  readonly lastModifiedMs: number;
}

/** The transfer pool as it is now: waiting in either queue of its department's pair. */
export async function loadTransferable(database: BenchDatabase, pools: MovePools): Promise<TransferItem[]> {
  const queues = [...pools.queuePairs.values()].flat();
  const rows = await database.rows<{
    id: string;
    department_id: string;
    queue_id: string;
    last_modified_ms: number | string;
  }>(
    `select id, department_id, queue_id, last_modified_ms from activities
     where status = 'awaiting_assignment' and type = 'email' and mode = 'inbound' and is_draft_response = 0
       and pinned = 0 and queue_id in (${marks(queues.length)}) order by length(id), id`,
    queues,
  );
  return rows
    .filter((r) => pools.queuePairs.get(r.department_id)?.includes(r.queue_id))
    .map((r) => ({
      id: r.id,
      departmentId: r.department_id,
      queueId: r.queue_id,
      lastModifiedMs: Number(r.last_modified_ms),
    }));
}

export interface CompleteItem {
  readonly id: string;
  readonly userId: string;
  readonly caseId: string;
  readonly lastModifiedMs: number;
}

/** The complete pool's activities still assigned, with their holder and case. */
export async function loadCompletable(database: BenchDatabase, pools: MovePools): Promise<CompleteItem[]> {
  const items: CompleteItem[] = [];
  await inChunks(pools.complete, async (chunk) => {
    const rows = await database.rows<{
      id: string;
      assigned_user_id: string;
      case_id: string;
      last_modified_ms: number | string;
    }>(
      `select id, assigned_user_id, case_id, last_modified_ms from activities
       where status = 'assigned' and id in (${marks(chunk.length)})`,
      [...chunk],
    );
    for (const r of rows)
      items.push({
        id: r.id,
        userId: r.assigned_user_id,
        caseId: r.case_id,
        lastModifiedMs: Number(r.last_modified_ms),
      });
  });
  return items;
}

export interface WaitingRow {
  readonly id: string;
  readonly queueId: string;
  readonly lastModifiedMs: number;
}

/** Everything waiting in the pull queues (to know what a recorded pull took, and from where). */
export async function loadPullable(database: BenchDatabase): Promise<Map<string, WaitingRow>> {
  const rows = await database.rows<{ id: string; queue_id: string; last_modified_ms: number | string }>(
    `select id, queue_id, last_modified_ms from activities where status = 'awaiting_assignment' and queue_id in (?, ?)`,
    [...PULL_QUEUES],
  );
  return new Map(
    rows.map((r) => [r.id, { id: r.id, queueId: r.queue_id, lastModifiedMs: Number(r.last_modified_ms) }]),
  );
}
