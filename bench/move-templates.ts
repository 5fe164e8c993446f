// The database ceiling of the --moves scenarios (transfer, complete, pull). These requests change the
// rows they name, so a recording cannot be replayed verbatim (the guarded UPDATE would match nothing
// the second time). Instead one real request per statement shape is recorded from the service's own
// app (request-sql.ts: every statement the request made it issue, with its values), and each value
// that belongs to that request — the caller, the activity ids, their lastModified before and after,
// their cases, the queues, the request's UUID — becomes a slot that the ceiling fills with the values
// of the work item it runs. Every other value stays as recorded. Nothing is copied from the store code.
//
// Pull does not know its activities before it runs: the slots after the locking SELECT are filled
// from the rows that SELECT returned (its id, lastModified and queue), as the service's plan does.
import { randomUUID } from 'node:crypto';
import { openSqliteReplayDatabase } from './ceiling-database.js';
import pg from 'pg';
import type { Dialect } from '../src/store/dialect.js';
import type { RecordedRequest } from './request-sql.js';

export type MoveSlot =
  | { readonly kind: 'const'; readonly value: unknown }
  | { readonly kind: 'user' }
  | { readonly kind: 'id'; readonly index: number }
  | { readonly kind: 'previous'; readonly index: number }
  | { readonly kind: 'case'; readonly index: number }
  /** The queue the activity at this index leaves (a history row's from_id). */
  | { readonly kind: 'source'; readonly index: number }
  | { readonly kind: 'target' }
  /** `queue:ID` of the target: what a history row names when the activity went to no user. */
  | { readonly kind: 'targetTag' }
  | { readonly kind: 'lastModified' }
  | { readonly kind: 'uuid'; readonly index: number }
  /** An array parameter (the outbox's unnest form on PostgreSQL), each element a slot of its own. */
  | { readonly kind: 'array'; readonly items: readonly MoveSlot[] };

export interface MoveStatement {
  readonly sql: string;
  readonly slots: readonly MoveSlot[];
  /** Pull's SELECT of what waits (FOR UPDATE SKIP LOCKED on pg): the activities it returns are the request's. */
  readonly offers?: boolean;
}

export interface MoveTemplate {
  readonly statements: readonly MoveStatement[];
}

/** What the recorded request was about: each value here becomes a slot wherever it appears. */
export interface RecordedValues {
  readonly user: string;
  readonly ids: readonly string[];
  readonly previous: readonly number[];
  readonly cases?: readonly string[];
  readonly sources?: readonly string[];
  readonly target?: string;
  /** The lastModified the request wrote (read back from the database after it). */
  readonly lastModified: number;
  /**
   * Pull: the request found its activities itself. Its offer is the last SELECT before the first
   * statement that names one of them; the slots after it are filled from the rows it returns.
   */
  readonly offered?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPDATES_ACTIVITIES = /^\s*update\s+"activities"/i;
export const isBegin = (sql: string) => /^\s*(begin|start transaction)/i.test(sql);
export const isEnd = (sql: string) => /^\s*(commit|rollback)/i.test(sql);

/** The index of pull's offer in the recorded statements. */
function offerIndex(recorded: RecordedRequest, ids: readonly string[]): number {
  const named = recorded.statements.findIndex((s) => s.params.some((p) => ids.includes(p as string)));
  for (let i = named - 1; i >= 0; i--) if (/^\s*select\b/i.test(recorded.statements[i].sql)) return i;
  throw new Error('no SELECT before the first statement naming the pulled activities');
}

/** Turns a recorded request into a template (see RecordedValues for what becomes a slot). */
export function toTemplate(recorded: RecordedRequest, values: RecordedValues): MoveTemplate {
  const strings = new Map<string, MoveSlot>();
  const numbers = new Map<number, MoveSlot>();
  const claim = <K>(map: Map<K, MoveSlot>, key: K, slot: MoveSlot) => {
    if (map.has(key))
      throw new Error(`recorded value ${String(key)} stands for two things; record another request`);
    map.set(key, slot);
  };
  claim(strings, values.user, { kind: 'user' });
  values.ids.forEach((id, index) => claim(strings, id, { kind: 'id', index }));
  values.previous.forEach((ms, index) => claim(numbers, ms, { kind: 'previous', index }));
  claim(numbers, values.lastModified, { kind: 'lastModified' });
  // Several activities of a request may share a case or a queue: the first index stands for them.
  values.cases?.forEach((id, index) => {
    if (!strings.has(id)) claim(strings, id, { kind: 'case', index });
  });
  values.sources?.forEach((id, index) => {
    if (!strings.has(id)) claim(strings, id, { kind: 'source', index });
  });
  if (values.target !== undefined) {
    claim(strings, values.target, { kind: 'target' });
    claim(strings, `queue:${values.target}`, { kind: 'targetTag' });
  }
  const uuids = new Map<string, number>();
  const offer = values.offered ? offerIndex(recorded, values.ids) : -1;
  const statements = recorded.statements.map((statement, index): MoveStatement => {
    const offers = index === offer;
    // Up to pull's offer, the activities are not known yet: the values there are the data's.
    const mapped = index > offer;
    const toSlot = (value: unknown): MoveSlot => {
      if (Array.isArray(value)) return { kind: 'array', items: value.map(toSlot) };
      if (typeof value === 'string') {
        if (UUID.test(value)) {
          if (!uuids.has(value)) uuids.set(value, uuids.size);
          return { kind: 'uuid', index: uuids.get(value)! };
        }
        const slot = strings.get(value);
        if (slot && (mapped || slot.kind === 'user')) return slot;
      }
      if (typeof value === 'number' && mapped) {
        const slot = numbers.get(value);
        if (slot) return slot;
      }
      return { kind: 'const', value };
    };
    const slots = statement.params.map(toSlot);
    return { sql: statement.sql, slots, ...(offers ? { offers } : {}) };
  });
  return { statements };
}

/** The values of one run of a template. Pull's ids, previous and sources come from its offer. */
export interface MoveBinding {
  user: string;
  ids: string[];
  previous: number[];
  cases: string[];
  sources: string[];
  target?: string;
}

interface OfferedRow {
  id: string;
  last_modified_ms: number | string;
  queue_id: string | null;
}

export function bindSlots(
  slots: readonly MoveSlot[],
  b: MoveBinding,
  lastModified: () => number,
  uuids: string[],
): unknown[] {
  return slots.map((slot) => {
    switch (slot.kind) {
      case 'const':
        return slot.value;
      case 'user':
        return b.user;
      case 'id':
        return b.ids[slot.index];
      case 'previous':
        return b.previous[slot.index];
      case 'case':
        return b.cases[slot.index];
      case 'source':
        return b.sources[slot.index];
      case 'target':
        return b.target;
      case 'targetTag':
        return `queue:${b.target}`;
      case 'lastModified':
        return lastModified();
      case 'uuid':
        return (uuids[slot.index] ??= randomUUID());
      case 'array':
        return bindSlots(slot.items, b, lastModified, uuids);
    }
  });
}

/**
 * Runs templates straight through the driver; resolves to the activities the run was about and how
 * many rows its UPDATE of activities changed (fewer: the guard found a row changed — a bench bug).
 */
export interface MoveReplayer {
  run(
    template: MoveTemplate,
    binding: MoveBinding,
  ): Promise<{ readonly ids: number; readonly updated: number }>;
  close(): Promise<void>;
}

/** As the service computes it: past now and past every earlier value of the batch. */
export const nextLastModified = (previous: readonly number[]) =>
  Math.max(Date.now(), ...previous.map((p) => p + 1));

/** Fills the binding from the offer; answers whether there is anything to write. */
export function takeOffer(rows: readonly OfferedRow[], b: MoveBinding): boolean {
  b.ids = rows.map((r) => r.id);
  b.previous = rows.map((r) => Number(r.last_modified_ms));
  b.sources = rows.map((r) => r.queue_id ?? '');
  return rows.length > 0;
}

export function postgresMoveReplayer(url: string, poolMax: number): MoveReplayer {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    statement_timeout: 5000,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => undefined);
  return {
    async run(template, binding) {
      let client: pg.PoolClient | undefined;
      let lastModified: number | undefined;
      const now = () => (lastModified ??= nextLastModified(binding.previous));
      const uuids: string[] = [];
      let skipToEnd = false;
      let updated = 0;
      try {
        for (const statement of template.statements) {
          if (skipToEnd && !isEnd(statement.sql)) continue;
          // As the service: a transaction on one connection, every other statement on whichever is free.
          if (isBegin(statement.sql)) client = await pool.connect();
          const on = client ?? pool;
          const result = await on.query<OfferedRow>(
            statement.sql,
            bindSlots(statement.slots, binding, now, uuids),
          );
          if (statement.offers) skipToEnd = !takeOffer(result.rows, binding);
          if (UPDATES_ACTIVITIES.test(statement.sql)) updated += result.rowCount ?? 0;
          if (isEnd(statement.sql) && client) {
            client.release();
            client = undefined;
          }
        }
        return { ids: binding.ids.length, updated };
      } catch (error) {
        if (client) {
          await client.query('rollback').catch(() => undefined);
          client.release();
        }
        throw error;
      }
    },
    async close() {
      await pool.end();
    },
  };
}

export function sqliteMoveReplayer(path: string): MoveReplayer {
  const { db, statementOf } = openSqliteReplayDatabase(path);
  return {
    async run(template, binding) {
      let lastModified: number | undefined;
      const now = () => (lastModified ??= nextLastModified(binding.previous));
      const uuids: string[] = [];
      let skipToEnd = false;
      let updated = 0;
      try {
        for (const statement of template.statements) {
          if (skipToEnd && !isEnd(statement.sql)) continue;
          const stmt = statementOf(statement.sql);
          const params = bindSlots(statement.slots, binding, now, uuids);
          if (!stmt.reader) {
            stmt.run(params);
            continue;
          }
          // RETURNING makes the guarded UPDATE a reader: its rows are the ones it changed.
          const rows = stmt.all(params) as OfferedRow[];
          if (statement.offers) skipToEnd = !takeOffer(rows, binding);
          if (UPDATES_ACTIVITIES.test(statement.sql)) updated += rows.length;
        }
        return { ids: binding.ids.length, updated };
      } catch (error) {
        if (db.inTransaction) db.exec('rollback');
        throw error;
      }
    },
    async close() {
      db.close();
    },
  };
}

export function moveReplayer(dialect: Dialect, target: string, poolMax: number): MoveReplayer {
  return dialect === 'sqlite' ? sqliteMoveReplayer(target) : postgresMoveReplayer(target, poolMax);
}
