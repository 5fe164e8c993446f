// Property: a refused lifecycle request changes nothing, and says why in an eGain error body that
// names only ids the request sent — through a real server, on every dialect.
//
// fast-check builds short sequences of transfer (to a user, a queue or a department), complete, pick
// and pull requests: callers among the organisation's users (the five well-known ones and generated
// ones) and client applications, batches of existing, missing, malformed and stale ids, targets that
// exist, are of the other kind, are unknown or are malformed, lastModified tokens that are current
// (in several spellings), stale or malformed, unpin/reassign flags and a few bad query parameters.
// Before each request the whole database is snapshotted (every table, test/support/database-
// snapshot.ts); when the answer is not 2xx the snapshot after must be identical. A 2xx answer only
// moves the baseline. Where the documented order of the checks (docs/api/*.md) decides the answer
// from facts the test knows — a bad token kind, a bad query, a bad body, the scope, the caller's
// action, missing ids, an unknown target — the exact code and the exact ids are asserted too.
//
// Environment: FC_RUNS=<n> sequences per operation (default: 50 on SQLite, 25 on PostgreSQL, each
// of 1–3 requests); FC_SEED=<seed> (printed on failure and at every start) and FC_PATH=<path>
// replay a run.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { generateOrganisation } from '../src/org/organisation-generator.js';
import {
  describeDifference,
  listTables,
  rowsOf,
  snapshotDatabase,
  type DatabaseSnapshot,
  type Row,
} from './support/database-snapshot.js';
import { ACTIVITY_PATH, clientToken } from './support/lifecycle-requests.js';
import { dialectsUnderTest, type TestDialect } from './support/test-databases.js';
import {
  FIXTURE_NOW,
  startTestService,
  type HttpResponse,
  type TestService,
} from './support/test-service.js';

const MANAGE = 'core.casemgr.manage';
const READ_ONLY = 'core.casemgr.read';
const CLIENTS = ['crm', 'erp-sync'] as const;
/** The well-known activities (organisation-generator.ts): every state the rules tell apart. */
const FIRST_FIXED = 100001;
const LAST_FIXED = 100021;

const RUNS = (dialect: TestDialect): number =>
  process.env.FC_RUNS ? Number(process.env.FC_RUNS) : dialect === 'sqlite' ? 50 : 25;
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);

/** The well-known organisation with generated users, queues and activities beyond it. */
const ORGANISATION = generateOrganisation({
  seed: 7,
  departments: 4,
  users: 9,
  queues: 5,
  activities: 45,
  now: FIXTURE_NOW,
});

// ---------------------------------------------------------------------------------------------
// The codes each operation documents (docs/api/*.md). A refusal outside its operation's list fails.

const TOKEN_CODES = ['401-101'];
const BODY_CODES = ['400-264', '400-152', '400-104', '400-147', '400-146', '400-105'];
const QUERY_CODES = ['400-101', '400-102'];
const CODES = {
  transfer: new Set([
    ...TOKEN_CODES,
    ...QUERY_CODES,
    ...BODY_CODES,
    '403-197',
    '400-194',
    '404-100',
    ...['403-179', '400-301', '400-302', '400-306', '400-304', '400-307', '403-184', '400-308'],
    ...['400-309', '400-310', '403-185', '400-311', '403-183', '403-187', '403-186', '403-178'],
    ...['403-180', '403-181', '403-182', '403-177', '400-305', '409-100'],
  ]),
  complete: new Set([
    ...TOKEN_CODES,
    ...QUERY_CODES,
    ...BODY_CODES,
    ...['403-197', '403-178', '400-194', '403-179', '400-312', '400-302', '400-301', '403-180', '409-100'],
  ]),
  pick: new Set([
    ...TOKEN_CODES,
    ...QUERY_CODES,
    ...BODY_CODES,
    ...['403-197', '403-178', '400-194', '403-179', '400-301', '400-302', '400-303', '400-304'],
    ...['403-180', '403-181', '403-182', '403-177', '400-305', '409-100'],
  ]),
  pull: new Set([...TOKEN_CODES, '400-203', '400-101', '403-197', '403-178']),
} as const;

type Operation = keyof typeof CODES;
type TargetKind = 'user' | 'queue' | 'department';

/** The action each operation asks of a user (docs/api: 403-178 naming it). */
const ACTION: Record<Exclude<Operation, 'transfer'>, string> = {
  complete: 'Complete',
  pick: 'Pick Activities',
  pull: 'Pull Activities',
};

// ---------------------------------------------------------------------------------------------
// Request specifications: plain data fast-check generates, shrinks and prints. Ids and lastModified
// tokens are resolved against the database as it is just before the request.

type CallerSpec = { readonly user: number } | { readonly client: (typeof CLIENTS)[number] };

type IdSpec =
  /** One of the well-known activities, by offset from 100001. */
  | { readonly k: 'fixed'; readonly n: number; readonly asNumber: boolean }
  /** One of the generated activities, by index (modulo their number). */
  | { readonly k: 'generated'; readonly n: number }
  /** The n-th activity the caller holds now (any activity when it holds none). */
  | { readonly k: 'held'; readonly n: number }
  /** Well formed, but no such activity. */
  | { readonly k: 'missing'; readonly v: string; readonly asNumber: boolean }
  /** Not 1–18 digits without a leading zero (or not a string or safe integer at all). */
  | { readonly k: 'malformed'; readonly v: string | number | boolean | null };

type LmSpec =
  | { readonly k: 'current'; readonly spelling: 'iso' | 'offset' | 'micro' }
  | { readonly k: 'stale'; readonly deltaMs: number }
  | { readonly k: 'malformed'; readonly v: string | number };

interface ItemSpec {
  readonly id: IdSpec;
  readonly lm: LmSpec;
}

type TargetSpec =
  | { readonly k: 'own'; readonly n: number }
  /** A given id of the path's kind (the templates' well-known targets). */
  | { readonly k: 'known'; readonly v: string }
  | { readonly k: 'otherKind'; readonly n: number }
  | { readonly k: 'unknown'; readonly v: string }
  | { readonly k: 'malformed'; readonly v: string };

interface RequestSpec {
  readonly op: Operation;
  readonly caller: CallerSpec;
  readonly readOnlyScope: boolean;
  readonly query: string;
  readonly items: readonly ItemSpec[];
  /** Repeat the item at this index (modulo) at the end: a duplicate id (400-105). */
  readonly duplicate: number | null;
  readonly kind: TargetKind;
  readonly target: TargetSpec;
  /** Pull only: send a body, which pull refuses unread (400-203). */
  readonly pullBody: boolean;
}

/** A weighted alternative; fractional weights allowed (fast-check wants integers: tenths are kept). */
const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight: Math.round(weight * 10), arbitrary });

/** heldWeight: how often an id is one the caller holds (complete refuses anything else with C2, hiding later rules). */
const idArb = (heldWeight: number): fc.Arbitrary<IdSpec> =>
  fc.oneof(
    w(
      10,
      fc.record({
        k: fc.constant('fixed' as const),
        n: fc.nat({ max: LAST_FIXED - FIRST_FIXED }),
        asNumber: fc.oneof(w(5, fc.constant(false)), w(1, fc.constant(true))),
      }),
    ),
    w(3, fc.record({ k: fc.constant('generated' as const), n: fc.nat({ max: 99 }) })),
    w(heldWeight, fc.record({ k: fc.constant('held' as const), n: fc.nat({ max: 9 }) })),
    w(
      2,
      fc.record({
        k: fc.constant('missing' as const),
        v: fc.oneof(
          fc.integer({ min: 1, max: 99_999 }).map(String),
          fc.integer({ min: 200_000, max: 2_000_000_000 }).map(String),
          fc.constantFrom('999999999999999999', '100000'),
        ),
        asNumber: fc.boolean(),
      }),
    ),
    w(
      0.4,
      fc.record({
        k: fc.constant('malformed' as const),
        v: fc.constantFrom<string | number | boolean | null>(
          '',
          '0',
          '0100001',
          'abc',
          '-100001',
          '100001.0',
          ' 100001',
          '1000000000000000000',
          '１００００１',
          -5,
          1.5,
          2 ** 60,
          true,
          null,
        ),
      }),
    ),
  );

const lmArb: fc.Arbitrary<LmSpec> = fc.oneof(
  w(14, fc.record({ k: fc.constant('current' as const), spelling: fc.constant('iso' as const) })),
  w(2, fc.record({ k: fc.constant('current' as const), spelling: fc.constantFrom('offset', 'micro') })),
  w(
    4,
    fc.record({
      k: fc.constant('stale' as const),
      deltaMs: fc.oneof(
        fc.constantFrom(-1, 1, -1000, 60_000),
        fc.integer({ min: -1e10, max: 1e10 }).filter((d) => d !== 0),
      ),
    }),
  ),
  w(
    0.4,
    fc.record({
      k: fc.constant('malformed' as const),
      v: fc.constantFrom<string | number>(
        '',
        'yesterday',
        '2026-13-01T00:00:00.000Z',
        '2026-11-01T12:00:60.000Z',
        '2026-11-01 12:00:00',
        1793534400000,
      ),
    }),
  ),
);

/** Duplicates come from `duplicate` (and from ids that resolve alike), not from every other batch. */
const idSelector = (item: ItemSpec) => JSON.stringify(item.id);

const itemsArb = (heldWeight: number): fc.Arbitrary<readonly ItemSpec[]> => {
  const itemArb: fc.Arbitrary<ItemSpec> = fc.record({ id: idArb(heldWeight), lm: lmArb });
  return fc.oneof(
    w(16, fc.uniqueArray(itemArb, { minLength: 1, maxLength: 2, selector: idSelector })),
    w(4, fc.uniqueArray(itemArb, { minLength: 3, maxLength: 6, selector: idSelector })),
    // Over 30 offenders: the details list stops at 30.
    w(
      1,
      fc.array(
        fc.record({
          id: fc.record({
            k: fc.constant('missing' as const),
            v: fc.integer({ min: 300_000, max: 399_999 }).map(String),
            asNumber: fc.constant(false),
          }),
          lm: fc.constant({ k: 'current' as const, spelling: 'iso' as const }),
        }),
        { minLength: 31, maxLength: 40 },
      ),
    ),
    // Over the 75-activity limit (400-104, before anything about the items).
    w(
      0.3,
      fc.integer({ min: 76, max: 80 }).map((length) =>
        Array.from({ length }, (_, i) => ({
          id: { k: 'missing' as const, v: String(400_000 + i), asNumber: false },
          lm: { k: 'current' as const, spelling: 'iso' as const },
        })),
      ),
    ),
    w(0.3, fc.constant([])),
  );
};

const targetArb: fc.Arbitrary<TargetSpec> = fc.oneof(
  w(12, fc.record({ k: fc.constant('own' as const), n: fc.nat({ max: 99 }) })),
  w(1, fc.record({ k: fc.constant('otherKind' as const), n: fc.nat({ max: 99 }) })),
  w(
    1,
    fc.record({
      k: fc.constant('unknown' as const),
      v: fc.oneof(
        fc.integer({ min: 1, max: 998 }).map(String),
        fc.integer({ min: 5000, max: 99_999 }).map(String),
        fc.constant('999999999999999999'),
      ),
    }),
  ),
  w(
    1,
    fc.record({
      k: fc.constant('malformed' as const),
      v: fc.constantFrom(
        '9'.repeat(150),
        'x'.repeat(120),
        '/10',
        '10\u0000',
        '١٠',
        'abc',
        '0010',
        '0',
        '-10',
        '10.0',
        '1e3',
        '1000000000000000000',
        'é',
        'a b',
        '1002x',
      ),
    }),
  ),
);

const callerArb = (clientWeight: number): fc.Arbitrary<CallerSpec> =>
  fc.oneof(
    w(6, fc.record({ user: fc.nat({ max: 4 }) })), // the five well-known users
    w(2, fc.record({ user: fc.nat({ max: 99 }) })), // any user, generated ones included
    w(clientWeight, fc.record({ client: fc.constantFrom(...CLIENTS) })),
  );

const QUERIES: Record<Operation, fc.Arbitrary<string>> = {
  transfer: fc.oneof(
    w(8, fc.constant('')),
    w(4, fc.constant('?unpin=yes')),
    w(1, fc.constantFrom('?reassign=yes', '?unpin=yes&reassign=yes')),
    w(1, fc.constantFrom('?unpin=no', '?force=yes', '?reassign=', '?unpin=yes&unpin=yes')),
  ),
  pick: fc.oneof(
    w(8, fc.constant('')),
    w(4, fc.constant('?unpin=yes')),
    w(1, fc.constantFrom('?unpin=no', '?reassign=yes', '?unpin')),
  ),
  complete: fc.oneof(w(14, fc.constant('')), w(1, fc.constantFrom('?unpin=yes', '?force=yes'))),
  pull: fc.oneof(w(14, fc.constant('')), w(1, fc.constantFrom('?max=3', '?unpin=yes'))),
};

/**
 * Requests that pass every rule but the ones on the lastModified tokens (when some are stale), from
 * the well-known organisation (organisation-generator.ts). Without them random requests rarely get
 * past the rules on the activities' state, and 409-100 — the last rule, after which the write
 * happens — would hardly ever be the reason for a refusal.
 */
interface Template {
  readonly caller: CallerSpec;
  readonly kind: TargetKind;
  readonly target: string;
  readonly queries: readonly string[];
  readonly pool: readonly number[];
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
// Users are indexed in ascending id order: alice (1001), bob (1002), carol (1003) come first.
const ALICE = { user: 0 };
const BOB = { user: 1 };
const CAROL = { user: 2 };
const TEMPLATES: Record<Operation, readonly Template[]> = {
  transfer: [
    // Service's waiting email to Sales, by alice (a foreign user there) and by a client application.
    { caller: ALICE, kind: 'department', target: '1000', queries: [''], pool: range(100001, 100010) },
    {
      caller: { client: 'crm' },
      kind: 'user',
      target: '1002',
      queries: ['', '?reassign=yes'],
      pool: range(100001, 100010),
    },
    // bob's pinned email back to queue 10 (with its draft), by alice who may unpin.
    { caller: ALICE, kind: 'queue', target: '10', queries: ['?unpin=yes'], pool: range(100011, 100013) },
    // The same without unpin=yes, and with bob's locked 100014: T10 (403-177) and T11 (400-305).
    { caller: ALICE, kind: 'queue', target: '10', queries: [''], pool: range(100011, 100014) },
  ],
  pick: [
    { caller: BOB, kind: 'queue', target: '10', queries: [''], pool: [...range(100001, 100010), 100020] },
    { caller: ALICE, kind: 'queue', target: '10', queries: ['?unpin=yes'], pool: range(100011, 100013) },
    { caller: CAROL, kind: 'queue', target: '10', queries: [''], pool: [100018] },
    // Pick rules 16 and 17: bob's locked and pinned email.
    { caller: ALICE, kind: 'queue', target: '10', queries: [''], pool: range(100011, 100014) },
  ],
  // Complete: bob's own email (100015 is a draft: C4) and alice's task. The target is not used.
  complete: [
    { caller: BOB, kind: 'queue', target: '10', queries: [''], pool: range(100011, 100015) },
    { caller: ALICE, kind: 'queue', target: '10', queries: [''], pool: [100021] },
  ],
  pull: [],
};

function templateArb(op: Operation): fc.Arbitrary<RequestSpec> {
  return fc.constantFrom(...TEMPLATES[op]).chain((t) =>
    fc.record({
      op: fc.constant(op),
      caller: fc.constant(t.caller),
      readOnlyScope: fc.constant(false),
      query: fc.constantFrom(...t.queries),
      items: fc.uniqueArray(
        fc.record({
          id: fc.record({
            k: fc.constant('fixed' as const),
            n: fc.constantFrom(...t.pool.map((id) => id - FIRST_FIXED)),
            asNumber: fc.constant(false),
          }),
          lm: lmArb,
        }),
        { minLength: 1, maxLength: Math.min(3, t.pool.length), selector: (item) => item.id.n },
      ),
      duplicate: fc.constant(null),
      kind: fc.constant(t.kind),
      target: fc.constant({ k: 'known' as const, v: t.target }),
      pullBody: fc.constant(false),
    }),
  );
}

function requestArb(op: Operation): fc.Arbitrary<RequestSpec> {
  const random = randomRequestArb(op);
  return TEMPLATES[op].length > 0 ? fc.oneof(w(3, random), w(1, templateArb(op))) : random;
}

function randomRequestArb(op: Operation): fc.Arbitrary<RequestSpec> {
  return fc.record({
    op: fc.constant(op),
    caller: callerArb(op === 'transfer' ? 3 : 1),
    readOnlyScope: fc.oneof(w(20, fc.constant(false)), w(1, fc.constant(true))),
    query: QUERIES[op],
    items: op === 'pull' ? fc.constant([]) : itemsArb(op === 'complete' ? 8 : 4),
    duplicate: fc.oneof(w(20, fc.constant(null)), w(1, fc.nat({ max: 9 }))),
    kind: fc.constantFrom<TargetKind>('user', 'queue', 'department'),
    target: targetArb,
    pullBody: fc.oneof(w(12, fc.constant(false)), w(1, fc.constant(true))),
  });
}

// ---------------------------------------------------------------------------------------------
// The world: the organisation's facts the oracle needs, read from a snapshot.

interface World {
  readonly users: readonly { readonly id: string; readonly login: string }[];
  readonly ids: Record<TargetKind, readonly string[]>;
  readonly generatedActivities: readonly string[];
  /** A user's home and foreign departments. */
  readonly departmentsOf: ReadonlyMap<string, ReadonlySet<string>>;
  /** A user's actions, through its roles and its groups' roles. */
  readonly actionsOf: ReadonlyMap<string, ReadonlySet<string>>;
  /** user id → scope → token; client → scope → token (made once: making one may write a key). */
  readonly tokens: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const byNumber = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

async function loadWorld(service: TestService, snapshot: DatabaseSnapshot): Promise<World> {
  const str = (row: Row, column: string) => String(row[column]);
  const users = rowsOf(snapshot, 'users')
    .map((row) => ({ id: str(row, 'id'), login: str(row, 'login_name') }))
    .sort((a, b) => byNumber(a.id, b.id));
  const departmentsOf = new Map<string, Set<string>>();
  for (const row of rowsOf(snapshot, 'users')) {
    departmentsOf.set(str(row, 'id'), new Set([str(row, 'home_department_id')]));
  }
  for (const row of rowsOf(snapshot, 'user_foreign_departments')) {
    departmentsOf.get(str(row, 'user_id'))?.add(str(row, 'department_id'));
  }
  const actionsOfRole = new Map<string, string[]>();
  for (const row of rowsOf(snapshot, 'role_actions')) {
    actionsOfRole.set(str(row, 'role_id'), [
      ...(actionsOfRole.get(str(row, 'role_id')) ?? []),
      str(row, 'action'),
    ]);
  }
  const rolesOfGroup = new Map<string, string[]>();
  for (const row of rowsOf(snapshot, 'group_roles')) {
    rolesOfGroup.set(str(row, 'group_id'), [
      ...(rolesOfGroup.get(str(row, 'group_id')) ?? []),
      str(row, 'role_id'),
    ]);
  }
  const actionsOf = new Map<string, Set<string>>(users.map((u) => [u.id, new Set<string>()]));
  const grant = (userId: string, roleId: string) => {
    for (const action of actionsOfRole.get(roleId) ?? []) actionsOf.get(userId)?.add(action);
  };
  for (const row of rowsOf(snapshot, 'user_roles')) grant(str(row, 'user_id'), str(row, 'role_id'));
  for (const row of rowsOf(snapshot, 'group_members')) {
    for (const role of rolesOfGroup.get(str(row, 'group_id')) ?? []) grant(str(row, 'user_id'), role);
  }
  const tokens = new Map<string, Map<string, string>>();
  for (const scope of [MANAGE, READ_ONLY]) {
    for (const user of users) {
      tokens.set(
        user.id,
        (tokens.get(user.id) ?? new Map()).set(scope, service.token(user.login, { scope })),
      );
    }
    for (const client of CLIENTS) {
      const key = `client:${client}`;
      tokens.set(key, (tokens.get(key) ?? new Map()).set(scope, await clientToken(service, client, scope)));
    }
  }
  const idsOf = (table: string) =>
    rowsOf(snapshot, table)
      .map((row) => str(row, 'id'))
      .sort(byNumber);
  return {
    users,
    ids: { user: idsOf('users'), queue: idsOf('queues'), department: idsOf('departments') },
    generatedActivities: idsOf('activities').filter((id) => Number(id) > LAST_FIXED),
    departmentsOf,
    actionsOf,
    tokens,
  };
}

// ---------------------------------------------------------------------------------------------
// From a specification to a request on the wire, with what the test knows about it.

interface ResolvedItem {
  /** The id as sent (a string, a number, or a malformed value). */
  readonly sent: unknown;
  /** The activity id it names, or undefined when malformed. */
  readonly key: string | undefined;
  readonly exists: boolean;
  readonly lmWellFormed: boolean;
  /** Its lastModified differs from the stored one, to the millisecond. */
  readonly stale: boolean;
}

interface Resolved {
  readonly path: string;
  readonly token: string;
  readonly body: string | undefined;
  readonly items: readonly ResolvedItem[];
  readonly callerId: string | undefined;
  /** Transfer: the path id as the server decodes it, and whether it names a target of that kind. */
  readonly targetId: string | undefined;
  readonly targetExists: boolean;
}

const SAFE_DIGITS = /^[1-9][0-9]{0,17}$/;

function spell(ms: number, spelling: 'iso' | 'offset' | 'micro'): string {
  const iso = new Date(ms).toISOString();
  if (spelling === 'iso') return iso;
  if (spelling === 'micro') return iso.replace('Z', '789Z'); // digits past the millisecond are dropped
  // The same instant an hour and a half east of UTC.
  return new Date(ms + 90 * 60_000).toISOString().replace('Z', '+01:30');
}

function resolve(spec: RequestSpec, world: World, snapshot: DatabaseSnapshot): Resolved {
  const activities = new Map(rowsOf(snapshot, 'activities').map((row) => [String(row.id), row]));
  const callerId = 'user' in spec.caller ? world.users[spec.caller.user % world.users.length].id : undefined;
  const tokenKey = callerId ?? `client:${(spec.caller as { client: string }).client}`;
  const token = world.tokens.get(tokenKey)!.get(spec.readOnlyScope ? READ_ONLY : MANAGE)!;
  const held = [...activities.values()]
    .filter((row) => callerId !== undefined && row.assigned_user_id === callerId)
    .map((row) => String(row.id))
    .sort(byNumber);

  const idOf = (id: IdSpec): { sent: unknown; key: string | undefined } => {
    switch (id.k) {
      case 'fixed': {
        const key = String(FIRST_FIXED + id.n);
        return { sent: id.asNumber ? Number(key) : key, key };
      }
      case 'generated': {
        const key = world.generatedActivities[id.n % world.generatedActivities.length];
        return { sent: key, key };
      }
      case 'held': {
        const key = held.length > 0 ? held[id.n % held.length] : String(FIRST_FIXED + id.n);
        return { sent: key, key };
      }
      case 'missing':
        return {
          sent: id.asNumber && Number.isSafeInteger(Number(id.v)) ? Number(id.v) : id.v,
          key: id.v,
        };
      case 'malformed':
        return { sent: id.v, key: undefined };
    }
  };

  const items = [...spec.items];
  if (spec.duplicate !== null && items.length > 0) items.push(items[spec.duplicate % items.length]);
  const resolvedItems: ResolvedItem[] = [];
  const wire: { id: unknown; lastModified: unknown }[] = [];
  for (const item of items) {
    const { sent, key } = idOf(item.id);
    const row = key !== undefined ? activities.get(key) : undefined;
    const storedMs = row ? Number(row.last_modified_ms) : FIXTURE_NOW.getTime();
    let lastModified: unknown;
    switch (item.lm.k) {
      case 'current':
        lastModified = spell(storedMs, item.lm.spelling);
        break;
      case 'stale':
        lastModified = new Date(storedMs + item.lm.deltaMs).toISOString();
        break;
      case 'malformed':
        lastModified = item.lm.v;
    }
    wire.push({ id: sent, lastModified });
    resolvedItems.push({
      sent,
      key,
      exists: row !== undefined,
      lmWellFormed: item.lm.k !== 'malformed',
      stale: item.lm.k === 'stale',
    });
  }

  let path: string;
  let targetId: string | undefined;
  let targetExists = false;
  if (spec.op === 'transfer') {
    const t = spec.target;
    const otherKind: Record<TargetKind, TargetKind> = {
      user: 'queue',
      queue: 'department',
      department: 'user',
    };
    if (t.k === 'own' || t.k === 'otherKind') {
      const list = world.ids[t.k === 'own' ? spec.kind : otherKind[spec.kind]];
      targetId = list[t.n % list.length]!;
    } else {
      targetId = t.v; // known, unknown or malformed: sent as it is
    }
    targetExists = SAFE_DIGITS.test(targetId) && world.ids[spec.kind].includes(targetId);
    path = `/transfer/${spec.kind}/${encodeURIComponent(targetId)}`;
  } else {
    path = `/${spec.op}`;
  }
  const body =
    spec.op === 'pull' ? (spec.pullBody ? '{"activity":[]}' : undefined) : JSON.stringify({ activity: wire });
  return {
    path: `${ACTIVITY_PATH}${path}${spec.query}`,
    token,
    body,
    items: resolvedItems,
    callerId,
    targetId,
    targetExists,
  };
}

// ---------------------------------------------------------------------------------------------
// What the documented order of the checks makes of the facts the test knows. `undefined`: a rule on
// the activities' state decides, which the test does not model (only that it is one of the
// operation's codes, and for 403-179 which ids it names).

interface Expected {
  readonly code: string | readonly string[];
  /** The exact activityId details (before the 30-entry cap), when the test knows them. */
  readonly ids?: readonly string[];
}

function queryProblem(op: Operation, query: string): boolean {
  const allowed: Record<Operation, readonly string[]> = {
    transfer: ['', '?unpin=yes', '?reassign=yes', '?unpin=yes&reassign=yes'],
    pick: ['', '?unpin=yes'],
    complete: [''],
    pull: [''],
  };
  return !allowed[op].includes(query);
}

function expectedRefusal(spec: RequestSpec, r: Resolved, world: World): Expected | undefined {
  const isClient = r.callerId === undefined;
  if (isClient && spec.op !== 'transfer') return { code: '401-101' };
  if (spec.op === 'pull') {
    // Which of a body and a query parameter is refused first, the contract does not say.
    if (spec.pullBody && queryProblem('pull', spec.query)) return { code: ['400-203', '400-101'] };
    if (spec.pullBody) return { code: '400-203' };
  }
  if (queryProblem(spec.op, spec.query)) return { code: QUERY_CODES };
  if (spec.op !== 'pull') {
    if (r.items.length > 75) return { code: '400-104' };
    if (r.items.length === 0 || r.items.some((item) => item.key === undefined || !item.lmWellFormed)) {
      return { code: ['400-146', '400-152'] };
    }
    // Every repeated id once, in the order of its first appearance (pick-activities.md, body errors).
    const keys = r.items.map((item) => item.key!);
    const repeated = [...new Set(keys)].filter((id) => keys.indexOf(id) !== keys.lastIndexOf(id));
    if (repeated.length > 0) return { code: '400-105', ids: repeated };
  }
  if (spec.readOnlyScope) return { code: '403-197' };
  if (spec.op !== 'transfer' && !world.actionsOf.get(r.callerId!)?.has(ACTION[spec.op])) {
    return { code: '403-178' };
  }
  if (spec.op === 'pull') return undefined;
  const missing = r.items.filter((item) => !item.exists).map((item) => item.key!);
  if (missing.length > 0) return { code: '400-194', ids: missing };
  if (spec.op === 'transfer' && !r.targetExists) return { code: '404-100', ids: [r.targetId!] };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The property.

interface ErrorBody {
  code?: unknown;
  developerMessage?: unknown;
  details?: { key: string; value: string }[];
}

interface Exchange {
  readonly spec: RequestSpec;
  readonly resolved: Resolved;
  readonly response: HttpResponse;
  readonly before: DatabaseSnapshot;
  readonly after: DatabaseSnapshot;
}

function checkRefusal(x: Exchange, world: World): string {
  const { spec, resolved: r, response } = x;
  const why = `\n${spec.op} ${r.path}\nbody: ${r.body ?? '(none)'}\nanswer ${response.status}: ${response.text}`;
  assert.ok(response.status < 500, `a refusal is the client's fault, never a ${response.status}${why}`);
  assert.ok(
    x.after.text === x.before.text,
    `a refused request changed the database:\n${describeDifference(x.before, x.after)}${why}`,
  );
  assert.match(String(response.headers['content-type']), /^application\/json\b/, why);
  const body = response.json<ErrorBody>();
  assert.equal(typeof body.code, 'string', why);
  const code = body.code as string;
  assert.match(code, /^\d{3}-\d{3}$/, why);
  assert.equal(code.slice(0, 3), String(response.status), `the code's prefix is the status${why}`);
  assert.ok(CODES[spec.op].has(code), `${code} is documented for ${spec.op}${why}`);
  assert.equal(typeof body.developerMessage, 'string', why);
  assert.ok((body.developerMessage as string).length <= 255, why);

  const details = body.details ?? [];
  assert.ok(details.length <= 30, `at most 30 details${why}`);
  const named = details.filter((d) => d.key === 'activityId').map((d) => d.value);
  const sentIds = new Set(r.items.map((item) => item.key).filter((id) => id !== undefined));
  const mayName = code === '404-100' ? new Set([r.targetId]) : sentIds;
  for (const id of named)
    assert.ok(mayName.has(id), `${code} names ${id}, which the request did not send${why}`);
  assert.equal(new Set(named).size, named.length, `each id named once${why}`);
  // The message names them too (403-178 names the action instead); a long list may be cut at 255.
  if (code !== '403-178' && named.length <= 3) {
    for (const id of named)
      assert.ok((body.developerMessage as string).includes(id), `message names ${id}${why}`);
  }
  if (code === '403-183') assert.deepEqual(details, [{ key: 'userId', value: r.targetId }], why);
  if (code === '403-187') assert.deepEqual(details, [{ key: 'queueId', value: r.targetId }], why);

  const expected = expectedRefusal(spec, r, world);
  if (expected) {
    const codes = typeof expected.code === 'string' ? [expected.code] : expected.code;
    assert.ok(codes.includes(code), `expected ${codes.join(' or ')}${why}`);
    if (expected.ids) assert.deepEqual(named, expected.ids.slice(0, 30), `the ids ${code} names${why}`);
  } else {
    assert.ok(
      !['401-101', ...QUERY_CODES, ...BODY_CODES, '403-197', '400-194', '404-100'].includes(code),
      why,
    );
  }
  // The first rule on the activities: every activity outside the caller's departments, in order.
  if (code === '403-179' && r.callerId !== undefined) {
    const inReach = world.departmentsOf.get(r.callerId)!;
    const activities = new Map(rowsOf(x.before, 'activities').map((row) => [String(row.id), row]));
    const outside = r.items
      .map((item) => item.key!)
      .filter((id) => !inReach.has(String(activities.get(id)!.department_id)));
    assert.deepEqual(named, outside.slice(0, 30), `403-179 names every activity out of reach${why}`);
  }
  // The last rule: when it decides, every stale item and only those.
  if (code === '409-100') {
    const stale = r.items.filter((item) => item.stale).map((item) => item.key!);
    assert.deepEqual(named, stale.slice(0, 30), `409-100 names every stale activity${why}`);
  }
  return code;
}

function checkSuccess(x: Exchange, world: World): void {
  const { spec, resolved: r, response } = x;
  const why = `\n${spec.op} ${r.path}\nbody: ${r.body ?? '(none)'}\nanswer ${response.status}: ${response.text}`;
  // A request the test knows to be refusable must not succeed; nor one with a stale item.
  assert.equal(expectedRefusal(spec, r, world), undefined, `this request should have been refused${why}`);
  assert.ok(!r.items.some((item) => item.stale), `a stale lastModified was accepted${why}`);
}

interface Harness {
  readonly service: TestService;
  readonly world: World;
  readonly tables: readonly string[];
  readonly initial: DatabaseSnapshot;
  current: DatabaseSnapshot;
  readonly counts: Map<string, number>;
}

/** Puts the activities and cases back as imported, so that every run starts from the same world. */
async function restoreInitialState(h: Harness): Promise<void> {
  if (h.current.text === h.initial.text) return;
  const db = h.service.database.db;
  for (const table of ['activities', 'cases'] as const) {
    const now = new Set(h.current.tables.get(table));
    const changed = (h.initial.tables.get(table) ?? []).filter((row) => !now.has(row));
    for (const text of changed) {
      const row = JSON.parse(text) as Row;
      await db
        .updateTable(table)
        .set(row as never)
        .where('id', '=', String(row.id))
        .execute();
    }
  }
  h.current = await snapshotDatabase(db, h.service.dialect, h.tables);
}

async function send(h: Harness, spec: RequestSpec): Promise<void> {
  const resolved = resolve(spec, h.world, h.current);
  const before = h.current;
  const response = await h.service.request({
    method: 'PATCH',
    path: resolved.path,
    headers: {
      authorization: `Bearer ${resolved.token}`,
      ...(resolved.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(resolved.body !== undefined ? { body: resolved.body } : {}),
  });
  const after = await snapshotDatabase(h.service.database.db, h.service.dialect, h.tables);
  h.current = after;
  const x: Exchange = { spec, resolved, response, before, after };
  const succeeded = response.status >= 200 && response.status < 300;
  if (succeeded) checkSuccess(x, h.world);
  const outcome = succeeded ? String(response.status) : checkRefusal(x, h.world);
  h.counts.set(outcome, (h.counts.get(outcome) ?? 0) + 1);
}

async function runProperty(t: TestContext, h: Harness, op: Operation, numRuns: number): Promise<void> {
  t.diagnostic(`fast-check seed ${SEED} (replay with FC_SEED=${SEED})`);
  h.counts.clear();
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb(op), { minLength: 1, maxLength: 3 }), async (specs) => {
        await restoreInitialState(h);
        for (const spec of specs) await send(h, spec);
      }),
      {
        numRuns,
        seed: SEED,
        includeErrorInReport: true,
        ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
      },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`fast-check seed ${SEED} (rerun with FC_SEED=${SEED})\n${message}`, { cause: error });
  } finally {
    // The answers seen (shrinking included), so that a run shows which reasons it reached.
    const total = [...h.counts.values()].reduce((a, b) => a + b, 0);
    const list = [...h.counts].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code}×${n}`);
    t.diagnostic(`${op}: ${total} requests — ${list.join(' ')}`);
  }
}

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL refusal properties', { skip: skipped }, () => undefined);

for (const dialect of dialects) {
  describe(`lifecycle refusals change nothing (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      const service = await startTestService(dialect, { organisation: ORGANISATION });
      const tables = await listTables(service.database.db, dialect);
      // Against a vacuous snapshot: the catalogue query must see the tables the writes touch.
      for (const table of ['activities', 'activity_history', 'cases', 'events', 'id_sequences']) {
        assert.ok(tables.includes(table), `the snapshot covers ${table} (tables: ${tables.join(', ')})`);
      }
      const world = await loadWorld(service, await snapshotDatabase(service.database.db, dialect, tables));
      // The initial state is taken after the tokens: making the first client token may store a key.
      const initial = await snapshotDatabase(service.database.db, dialect, tables);
      h = { service, world, tables, initial, current: initial, counts: new Map() };
    });
    after(() => h.service.close());

    for (const op of ['transfer', 'complete', 'pick', 'pull'] as const) {
      it(`${op}: a refusal names only the ids sent, with its documented code, and changes nothing`, async (t) => {
        const runs = RUNS(dialect);
        await runProperty(t, h, op, runs);
        // Against a vacuous run (every request refused for one reason, say): with the default number
        // of runs the generators reach a dozen different answers or more; a handful of FC_RUNS may not.
        if (runs >= 20) {
          assert.ok(
            h.counts.size >= (op === 'pull' ? 3 : 6),
            `requests reach many answers: ${[...h.counts.keys()].join(', ')}`,
          );
        }
      });
    }
  });
}
