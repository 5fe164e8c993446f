// Property-based tests of PATCH /core/casemgr/v3/activity/pick through a real server, on every dialect.
// fast-check builds requests that mix valid and invalid parts (token, Accept, Accept-Language,
// Content-Type, X-egain-error-message, query, body) and the properties hold the answers to
// docs/api/pick-activities.md. Each property is its own test so that a known bug in one (marked
// `todo` with its counterexample) does not hide regressions in the others.
//
// Reproduce a failure with FC_SEED=<seed printed in the failure> (and FC_PATH=<path> to skip the
// search); FC_RUNS=<n> overrides the number of runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER } from '../src/auth/auth-config.js';
import type { Locale } from '../src/i18n/locales.js';
import { checkDeveloperMessage, expectedUserMessage, type OracleParams } from './support/message-oracle.js';
import { XML_TEXT_OPTIONS } from './support/xml-text.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type HttpResponse, type TestService } from './support/test-service.js';

const PICK_PATH = '/core/casemgr/v3/activity/pick';
const MANAGE = 'core.casemgr.manage';
const MAX_BODY_BYTES = 64 * 1024; // contract: "Body over 64 KiB: 413"
const MAX_ITEMS = 75;
const COMMON_NS = 'http://bindings.egain.com/ws/model/v12/gen/common';

// ---------------------------------------------------------------------------------------------
// The codes the contract documents for this endpoint (pick-activities.md), taken from the contract's
// text, not from ERROR_STATUS. 500-100 is documented too, but the first property says a pick never
// answers 5xx, so it is not an acceptable answer here.

/** Request headers (rule 2) and the rules 1 and 3. */
const HEADER_AND_QUERY_CODES = ['401-101', '406-101', '406-100', '415-100', '400-101', '400-102'];
/** Body shape (rule 4), in the contract's precedence order. */
const BODY_CODES = ['413-100', '400-264', '400-152', '400-104', '400-147', '400-146', '400-105'];
/** Rules 5 and 6 (the caller). */
const CALLER_CODES = ['403-197', '403-178'];
/** Rules 7–19 (the activities). */
const ACTIVITY_RULE_CODES = [
  '400-194',
  '403-179',
  '400-301',
  '400-302',
  '400-303',
  '400-304',
  '403-180',
  '403-181',
  '403-182',
  '403-177',
  '400-305',
  '403-178',
  '409-100',
];
const PICK_CODES: ReadonlySet<string> = new Set([
  ...HEADER_AND_QUERY_CODES,
  ...BODY_CODES,
  ...CALLER_CODES,
  ...ACTIVITY_RULE_CODES,
]);

/** Codes whose `details` list activity ids (one entry per offending id). */
const ID_LIST_CODES: ReadonlySet<string> = new Set([
  '400-105',
  '400-194',
  '403-179',
  '400-301',
  '400-302',
  '400-303',
  '400-304',
  '403-180',
  '403-181',
  '403-182',
  '403-177',
  '400-305',
  '409-100',
]);

const RUNS = (dialect: string, sqlite: number, postgres: number): number =>
  process.env.FC_RUNS ? Number(process.env.FC_RUNS) : dialect === 'sqlite' ? sqlite : postgres;
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// ---------------------------------------------------------------------------------------------
// Request specifications: plain data that fast-check generates, shrinks and prints. They become
// bytes on the wire only inside the property, where "the current lastModified" is read from the
// database snapshot taken just before the request.

const LOGINS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
type Login = (typeof LOGINS)[number];

type AuthSpec =
  | { readonly kind: 'token'; readonly login: Login; readonly scope: string; readonly scheme: string }
  | { readonly kind: 'expired' | 'tampered' | 'unsigned'; readonly login: Login }
  | { readonly kind: 'unknown-user' }
  | { readonly kind: 'raw'; readonly value: string }
  | { readonly kind: 'absent' };

/** A header value and what the contract makes of it: a definite outcome, or `maybe` (debatable). */
interface Choice<T> {
  readonly value: string | undefined;
  readonly expect: T | 'none' | 'maybe';
}

interface QueryParam {
  readonly name: string;
  readonly value: string | null;
}

/** A long string built on the wire: `ch` repeated `len` times (keeps counterexamples readable). */
interface BigString {
  readonly big: number;
  readonly ch: string;
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

type ValueSpec =
  | { readonly k: 'json'; readonly v: Json }
  | { readonly k: 'big'; readonly s: BigString }
  | { readonly k: 'deep'; readonly depth: number; readonly shape: 'arr' | 'obj' };

type KeySpec = string | BigString;

interface Extra {
  readonly key: KeySpec;
  readonly value: ValueSpec;
}

type IdSpec =
  | { readonly k: 'fixture'; readonly n: number; readonly asNumber: boolean }
  | { readonly k: 'digits'; readonly v: string }
  | { readonly k: 'int'; readonly v: number }
  | { readonly k: 'bad'; readonly v: ValueSpec };

type LmFormat = 'iso' | 'offset' | 'zeros' | 'lower' | 'sec' | 'negzero';
type LmSpec =
  | { readonly k: 'current'; readonly fmt: LmFormat; readonly offsetMin: number; readonly zeros: number }
  | { readonly k: 'stale'; readonly delta: number }
  | { readonly k: 'date'; readonly ms: number }
  | { readonly k: 'bad'; readonly v: ValueSpec };

type ItemSpec =
  | {
      readonly k: 'obj';
      readonly id: IdSpec;
      readonly lm: LmSpec;
      readonly drop: 'none' | 'id' | 'lastModified' | 'both';
      readonly lmFirst: boolean;
      readonly extras: readonly Extra[];
      readonly extrasAt: number;
    }
  | { readonly k: 'notObj'; readonly v: Json };

type ActivitySpec =
  | { readonly k: 'items'; readonly items: readonly ItemSpec[] }
  | { readonly k: 'absent' }
  | { readonly k: 'wrong'; readonly v: Json };

type BodySpec =
  | { readonly k: 'none' | 'empty' }
  | { readonly k: 'text'; readonly t: string }
  | { readonly k: 'bytes'; readonly b: readonly number[] }
  | { readonly k: 'bigText'; readonly s: BigString }
  | { readonly k: 'deep'; readonly depth: number; readonly shape: 'arr' | 'obj' }
  | {
      readonly k: 'pick';
      readonly activity: ActivitySpec;
      readonly extras: readonly Extra[];
      readonly activityAt: number;
    };

interface RequestSpec {
  /** Put every activity back as the fixture had it before this request (the world drifts otherwise). */
  readonly reset: boolean;
  readonly auth: AuthSpec;
  readonly accept: Choice<'json' | 'xml'>;
  readonly language: Choice<Locale>;
  readonly contentType: Choice<true>;
  readonly errorMessage: string | undefined;
  readonly query: readonly QueryParam[];
  readonly body: BodySpec;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries. Half of the requests weight valid parts far up, so that a fair share passes every
// check and picks; the other half explores invalid inputs.

/** `a` `weight` times as often as `b`. */
const prefer = <T>(a: fc.Arbitrary<T>, b: fc.Arbitrary<T>, weight: number) =>
  fc.oneof({ weight, arbitrary: a }, { weight: 1, arbitrary: b });

/**
 * Every request part, valid parts weighted `bias` times up: bias 1 explores the invalid inputs, a high
 * bias gives requests that pass every check (or break one) often enough to pick.
 */
function requestArbitrary(bias: number): fc.Arbitrary<RequestSpec> {
  const weighted = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>, validWeight = 4) =>
    prefer(valid, invalid, validWeight * bias);

  const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 24 });

  const scopeArb = weighted(
    fc.constant(MANAGE),
    fc.constantFrom(
      'core.casemgr.read',
      'core.casemgr.read core.casemgr.manage',
      'openid core.casemgr.manage',
      '',
      'CORE.CASEMGR.MANAGE',
      'core.casemgr.manage.all',
      'core.casemgr',
      'core.casemgr.manage,core.casemgr.read',
    ),
  );

  const authArb: fc.Arbitrary<AuthSpec> = fc.oneof(
    {
      weight: 14 * bias,
      arbitrary: fc.record({
        kind: fc.constant('token' as const),
        login: fc.constantFrom(...LOGINS),
        scope: scopeArb,
        // RFC 6750: the scheme is case-insensitive and followed by one or more spaces.
        scheme: prefer(fc.constant('Bearer '), fc.constantFrom('bearer ', 'BEARER ', 'Bearer  '), 4),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom('expired' as const, 'tampered' as const, 'unsigned' as const),
        login: fc.constantFrom(...LOGINS),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'unknown-user' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('raw' as const),
        value: fc.oneof(
          fc.constantFrom(
            '',
            'Bearer',
            'Bearer ',
            'Basic YWxpY2U6c2VjcmV0',
            'Bearer a.b.c',
            'Bearer ..',
            'Token abc.def.ghi',
            'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMDAxIn0.',
          ),
          printable,
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'absent' as const }) },
  );

  const choice = <T>(value: string | undefined, expect: NoInfer<T> | 'none' | 'maybe'): Choice<T> => ({
    value,
    expect,
  });

  const acceptArb: fc.Arbitrary<Choice<'json' | 'xml'>> = weighted(
    fc.constantFrom<Choice<'json' | 'xml'>>(
      choice(undefined, 'json'),
      choice(undefined, 'json'),
      choice('application/json', 'json'),
      choice('application/xml', 'xml'),
      choice('*/*', 'json'),
      choice('application/*', 'json'), // a tie goes to JSON
      choice('application/xml, application/json', 'json'), // a tie goes to JSON, whatever the order
      choice('application/json;q=0.5, application/xml', 'xml'),
      choice('application/xml;q=0.9, application/json;q=0.8', 'xml'),
      choice('application/xml;q=0.1, */*;q=0.5', 'json'), // json gets 0.5 from */*, xml its own 0.1
      choice('text/html, application/xml;q=0.5', 'xml'),
      choice('APPLICATION/XML', 'xml'), // media types are case-insensitive
      choice('text/html, */*;q=0.1', 'json'),
    ),
    fc.constantFrom<Choice<'json' | 'xml'>>(
      choice('text/html', 'none'),
      choice('text/xml', 'none'),
      choice('image/png, text/*', 'none'),
      choice('application/json;q=0, application/xml;q=0', 'none'),
      choice('garbage', 'json'), // no valid range: as if absent
      choice('', 'json'), // no valid range: as if absent
      choice(';;,', 'json'), // no valid range: as if absent
      choice('application/json;q=2', 'json'), // no valid range: as if absent
    ),
  );

  const languageArb: fc.Arbitrary<Choice<Locale>> = weighted(
    fc.constantFrom<Choice<Locale>>(
      choice(undefined, 'en-US'),
      choice(undefined, 'en-US'),
      choice('*', 'en-US'),
      choice('en-US', 'en-US'),
      choice('es-ES', 'es-ES'),
      choice('fr-FR', 'fr-FR'),
      choice('it-IT', 'it-IT'),
      choice('de-DE', 'de-DE'),
      choice('nl-NL', 'nl-NL'),
      choice('pt-BR', 'pt-BR'),
      choice('pt-PT', 'pt-PT'),
      choice('da-DK', 'da-DK'),
      choice('ru-RU', 'ru-RU'),
      choice('fr-CA', 'fr-CA'),
      choice('zh-CN', 'zh-CN'),
      choice('ja-JP', 'ja-JP'),
      choice('ko-KR', 'ko-KR'),
      choice('sv-SE', 'sv-SE'),
      choice('fr', 'fr-FR'),
      choice('pt', 'pt-BR'),
      choice('en', 'en-US'),
      choice('de', 'de-DE'),
      choice('zh', 'zh-CN'),
      choice('FR-ca', 'fr-CA'),
      choice('pt-pt', 'pt-PT'),
      choice('de-DE;q=0.5, ja-JP;q=0.9', 'ja-JP'),
      choice('xx-YY, it-IT;q=0.2', 'it-IT'),
      choice('ko-KR, *;q=0.1', 'ko-KR'),
      choice('*;q=0.5, es-ES', 'es-ES'),
      choice('en;q=0.1, ru', 'ru-RU'),
    ),
    fc.constantFrom<Choice<Locale>>(
      choice('xx-YY', 'none'),
      choice('tlh', 'none'),
      choice('zz, yy;q=0.5', 'none'),
      choice('en-GB', 'maybe'),
      choice('fr-BE', 'maybe'),
      choice('!!garbage!!', 'maybe'),
      choice('en-US;q=0', 'maybe'),
      choice('', 'maybe'),
    ),
  );

  const contentTypeArb: fc.Arbitrary<Choice<true>> = weighted(
    fc.constantFrom<Choice<true>>(
      choice('application/json', true),
      choice('application/json', true),
      choice('application/json; charset=utf-8', true),
      choice('application/json;charset=UTF-8', true),
      choice('Application/JSON', true),
      choice('application/json; charset="utf-8"', true),
    ),
    fc.constantFrom<Choice<true>>(
      choice(undefined, 'none'),
      choice('application/json; charset=latin1', 'none'),
      choice('application/json; charset=iso-8859-1', 'none'),
      choice('text/plain', 'none'),
      choice('application/xml', 'none'),
      choice('text/json', 'none'),
      choice('application/x-www-form-urlencoded', 'none'),
    ),
  );

  const errorMessageArb = weighted(
    fc.constantFrom(undefined, 'yes', 'YES', 'Yes'),
    fc.constantFrom('no', '', 'true', '1', 'yes, yes', ' yes ', 'yess'),
    3,
  );

  const longString = (min: number, max: number, chars: readonly string[]) =>
    fc.record({ big: fc.integer({ min, max }), ch: fc.constantFrom(...chars) });

  const queryParamArb: fc.Arbitrary<QueryParam> = fc.record({
    name: fc.oneof(
      { weight: 3, arbitrary: fc.constant('unpin') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'Unpin',
          'UNPIN',
          'unpin ',
          '__proto__',
          'constructor',
          'toString',
          'hasOwnProperty',
          'é',
          '名前',
          '🙂',
          'unpin[]',
          'a=b',
          '\u0001',
          '🙂'.repeat(130),
        ),
      },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 10 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
      { weight: 1, arbitrary: longString(200, 400, ['q', 'é']).map((s) => s.ch.repeat(s.big)) },
    ),
    value: fc.oneof(
      { weight: 3, arbitrary: fc.constant('yes') },
      { weight: 2, arbitrary: fc.constantFrom('no', '', 'YES', 'Yes', ' yes', 'true') },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    ),
  });

  const queryArb: fc.Arbitrary<readonly QueryParam[]> = fc.oneof(
    { weight: 5 * bias, arbitrary: fc.constant([]) },
    { weight: 3 * bias, arbitrary: fc.constant([{ name: 'unpin', value: 'yes' }]) },
    { weight: 2, arbitrary: fc.array(queryParamArb, { minLength: 1, maxLength: 3 }) },
  );

  /** Up to ~70 KiB: around the 64 KiB body limit. */
  const hugeArb = longString(60_000, 72_000, ['x', 'é', '"', '\n', '🙂']);
  const bigStringArb = fc.oneof(longString(0, 400, ['x', 'é', '"', '\\', '\u0001', '🙂']), hugeArb);
  const deepArb = fc.record({
    depth: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 20_000 })),
    shape: fc.constantFrom('arr' as const, 'obj' as const),
  });

  const valueArb: fc.Arbitrary<ValueSpec> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => ({ k: 'json' as const, v: v as Json })),
    },
    { weight: 1, arbitrary: bigStringArb.map((s) => ({ k: 'big' as const, s })) },
    { weight: 1, arbitrary: deepArb.map((d) => ({ k: 'deep' as const, ...d })) },
  );

  const keyArb: fc.Arbitrary<KeySpec> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'color',
        'Activity',
        'ID',
        'Id',
        'lastmodified',
        'id ',
        '__proto__',
        'constructor',
        'toString',
        'activity.id',
        'ünïcødé',
        '🙂',
        '0',
        '42',
        '',
        'a\u0001b', // a control character: XML 1.0 cannot carry it
        '🙂'.repeat(120), // astral characters past the 255-character cut
      ),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    { weight: 1, arbitrary: bigStringArb },
  );

  const extraArb: fc.Arbitrary<Extra> = fc.record({ key: keyArb, value: valueArb });
  const extrasArb = fc.oneof(
    { weight: 10 * bias, arbitrary: fc.constant([] as Extra[]) },
    { weight: 1, arbitrary: fc.array(extraArb, { minLength: 1, maxLength: 2 }) },
  );

  const badIdArb: fc.Arbitrary<IdSpec> = fc.oneof(
    fc
      .constantFrom<Json>(
        '',
        '0',
        '0123',
        '-1',
        '1.5',
        'abc',
        ' 100001',
        '100001 ',
        '1234567890123456789', // 19 digits
        '１００００１', // full-width digits
        '1e5',
        0,
        -5,
        1.5,
        true,
        false,
        null,
        [],
        {},
        ['100001'],
      )
      .map((v) => ({ k: 'bad' as const, v: { k: 'json' as const, v } })),
    bigStringArb.map((s) => ({ k: 'bad' as const, v: { k: 'big' as const, s } })),
    fc
      .integer({ min: 1, max: 20_000 })
      .map((depth) => ({ k: 'bad' as const, v: { k: 'deep' as const, depth, shape: 'arr' as const } })),
  );

  const idArb: fc.Arbitrary<IdSpec> = fc.oneof(
    {
      weight: 12 * bias,
      arbitrary: fc.record({
        k: fc.constant('fixture' as const),
        n: fc.integer({ min: 1, max: 21 }),
        asNumber: prefer(fc.constant(false), fc.constant(true), 3),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.stringMatching(/^[1-9][0-9]{0,17}$/).map((v) => ({ k: 'digits' as const, v })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((v) => ({ k: 'int' as const, v })),
    },
    { weight: 2, arbitrary: badIdArb },
  );

  const badLmArb: fc.Arbitrary<LmSpec> = fc.oneof(
    fc
      .constantFrom<Json>(
        '',
        'yesterday',
        '2014-11-24T09:09:08', // no offset
        '2014-13-01T00:00:00Z',
        '2014-02-30T00:00:00Z',
        '2014-11-24T24:00:00Z',
        '2014-11-24T09:09:08.Z',
        '2014-11-24T09:09:08+0100', // offset without colon
        '2014-11-24T09:09:08+25:00',
        '14-11-24T09:09:08Z',
        '2014-11-24',
        1416820148000,
        null,
        true,
        [],
        {},
      )
      .map((v) => ({ k: 'bad' as const, v: { k: 'json' as const, v } })),
    bigStringArb.map((s) => ({ k: 'bad' as const, v: { k: 'big' as const, s } })),
  );

  const lmArb: fc.Arbitrary<LmSpec> = fc.oneof(
    {
      weight: 12 * bias,
      arbitrary: fc.record({
        k: fc.constant('current' as const),
        fmt: prefer(
          fc.constant<LmFormat>('iso'),
          fc.constantFrom<LmFormat>('offset', 'zeros', 'lower', 'sec'),
          3,
        ),
        offsetMin: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        zeros: fc.integer({ min: 1, max: 6 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1e10, max: 1e10 }))
        .filter((delta) => delta !== 0)
        .map((delta) => ({ k: 'stale' as const, delta })),
    },
    {
      weight: 1,
      arbitrary: fc
        .date({
          min: new Date('0001-01-01T00:00:00.000Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        })
        .map((d) => ({ k: 'date' as const, ms: d.getTime() })),
    },
    { weight: 2, arbitrary: badLmArb },
  );

  const itemArb: fc.Arbitrary<ItemSpec> = fc.oneof(
    {
      weight: 15 * bias,
      arbitrary: fc.record({
        k: fc.constant('obj' as const),
        id: idArb,
        lm: lmArb,
        drop: weighted(
          fc.constant('none' as const),
          fc.constantFrom('id' as const, 'lastModified' as const, 'both' as const),
          12,
        ),
        lmFirst: prefer(fc.constant(false), fc.constant(true), 3),
        extras: extrasArb,
        extrasAt: fc.nat(2),
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<Json>(null, 1, '100001', true, [], ['100001'], [{}])
        .map((v) => ({ k: 'notObj' as const, v })),
    },
  );

  const activityArb: fc.Arbitrary<ActivitySpec> = fc.oneof(
    {
      weight: 12 * bias,
      arbitrary: fc
        .oneof(
          { weight: 8 * bias, arbitrary: fc.array(itemArb, { minLength: 1, maxLength: 3 }) },
          { weight: 1, arbitrary: fc.array(itemArb, { minLength: 0, maxLength: 80 }) },
        )
        .map((items) => ({ k: 'items' as const, items })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<ActivitySpec>(
        { k: 'absent' },
        { k: 'wrong', v: null },
        { k: 'wrong', v: '100001' },
        { k: 'wrong', v: 1 },
        { k: 'wrong', v: true },
        { k: 'wrong', v: {} },
      ),
    },
  );

  const bodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
    {
      weight: 16 * bias,
      arbitrary: fc.record({
        k: fc.constant('pick' as const),
        activity: activityArb,
        extras: extrasArb,
        activityAt: fc.nat(2),
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom<BodySpec>({ k: 'none' }, { k: 'empty' }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          'null',
          '[]',
          '42',
          '"x"',
          'true',
          '[{"id":"100001","lastModified":"2026-11-01T12:00:00.000Z"}]',
          '{',
          '{"activity":',
          'not json',
          "{'activity':[]}",
          '{"activity":[],}',
          '{}',
          ' ',
          '\r\n\t',
        )
        .map((t) => ({ k: 'text' as const, t })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 48 })
        .map((b) => ({ k: 'bytes' as const, b: [...b] })),
    },
    { weight: 1, arbitrary: bigStringArb.map((s) => ({ k: 'bigText' as const, s })) },
    { weight: 1, arbitrary: deepArb.map((d) => ({ k: 'deep' as const, ...d })) },
  );

  return fc.record({
    reset: prefer(fc.constant(false), fc.constant(true), 2),
    auth: authArb,
    accept: acceptArb,
    language: languageArb,
    contentType: contentTypeArb,
    errorMessage: errorMessageArb,
    query: queryArb,
    body: bodyArb,
  });
}

const requestArb = fc.oneof(requestArbitrary(1), requestArbitrary(12));

/**
 * Requests whose error echoes client text — an unknown attribute or query parameter named with any
 * code points (control characters, astral ones, long runs that the 255-character cut goes through,
 * digits) — answered in JSON or XML.
 */
const echoArb: fc.Arbitrary<RequestSpec> = fc
  .tuple(
    requestArbitrary(12),
    fc.constantFrom<Choice<'json' | 'xml'>>(
      { value: 'application/json', expect: 'json' },
      { value: 'application/xml', expect: 'xml' },
    ),
    fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
      fc.stringMatching(/^\d{0,3}$/), // names that look like array indexes, and ''
      fc
        .record({ ch: fc.constantFrom('🙂', '\u0001', 'x', '\u0008'), n: fc.integer({ min: 1, max: 300 }) })
        .map((r) => r.ch.repeat(r.n)),
    ),
    fc.boolean(),
  )
  .filter(([, , name]) => !LONE_SURROGATE.test(name))
  .map(([spec, accept, name, inQuery]): RequestSpec => {
    if (inQuery) return { ...spec, accept, query: [{ name, value: 'yes' }] };
    const activity = spec.body.k === 'pick' ? spec.body.activity : ({ k: 'absent' } as const);
    return {
      ...spec,
      accept,
      body: { k: 'pick', activity, extras: [{ key: name, value: { k: 'json', v: 1 } }], activityAt: 1 },
    };
  });

/**
 * A valid pick by alice or bob of one queued activity, its lastModified the stored instant written
 * in any RFC 3339 way: `time-secfrac = "." 1*DIGIT` (any number of digits), lower-case t/z, offsets,
 * -00:00. The contract compares instants to the millisecond, so the spelling must not matter.
 */
const spellingArb: fc.Arbitrary<RequestSpec> = fc.record({
  reset: fc.constant(true),
  auth: fc.record({
    kind: fc.constant('token' as const),
    login: fc.constantFrom('alice' as const, 'bob' as const),
    scope: fc.constant(MANAGE),
    scheme: fc.constant('Bearer '),
  }),
  accept: fc.constant<Choice<'json' | 'xml'>>({ value: undefined, expect: 'json' }),
  language: fc.constant<Choice<Locale>>({ value: undefined, expect: 'en-US' }),
  contentType: fc.constant<Choice<true>>({ value: 'application/json', expect: true }),
  errorMessage: fc.constant(undefined),
  query: fc.constant([]),
  body: fc.record({
    k: fc.constant('pick' as const),
    activity: fc.record({
      k: fc.constant('items' as const),
      items: fc.tuple(
        fc.record({
          k: fc.constant('obj' as const),
          id: fc.record({
            k: fc.constant('fixture' as const),
            n: fc.integer({ min: 1, max: 10 }),
            asNumber: fc.constant(false),
          }),
          lm: fc.record({
            k: fc.constant('current' as const),
            fmt: fc.constantFrom<LmFormat>('zeros', 'lower', 'offset', 'negzero'),
            offsetMin: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
            zeros: fc.integer({ min: 1, max: 12 }),
          }),
          drop: fc.constant('none' as const),
          lmFirst: fc.constant(false),
          extras: fc.constant([]),
          extrasAt: fc.constant(0),
        }),
      ),
    }),
    extras: fc.constant([]),
    activityAt: fc.constant(0),
  }),
});

// ---------------------------------------------------------------------------------------------
// The world the fixture documents, read from the database (not from the service's own code).

interface ActivityRow {
  readonly id: string;
  readonly department_id: string;
  readonly type: string;
  readonly status: string;
  readonly substatus: string | null;
  readonly queue_id: string | null;
  readonly assigned_user_id: string | null;
  readonly pinned: number;
  readonly locked: number;
  readonly is_draft_response: number;
  readonly last_modified_ms: number | string;
  readonly last_modified_by: string | null;
  readonly last_action: string | null;
  readonly [column: string]: unknown;
}

interface HistoryRow {
  readonly id: number | string;
  readonly activity_id: string;
  readonly from_kind: string;
  readonly from_id: string;
  readonly to_user_id: string;
  readonly by_user_id: string;
  readonly unpinned: number;
  readonly [column: string]: unknown;
}

interface Snapshot {
  readonly activities: readonly ActivityRow[];
  readonly history: readonly HistoryRow[];
}

interface UserFacts {
  readonly id: string;
  readonly departments: ReadonlySet<string>;
  readonly licenses: ReadonlySet<string>;
  readonly actions: ReadonlySet<string>;
  readonly pullQueues: ReadonlySet<string>;
  readonly pullUsers: ReadonlySet<string>;
}

interface World {
  readonly users: ReadonlyMap<Login, UserFacts>;
  /** email, social, task and the user-defined types. */
  readonly pickableTypes: ReadonlySet<string>;
  /** The activities as the fixture imported them. */
  readonly initial: readonly ActivityRow[];
}

async function loadWorld(service: TestService): Promise<World> {
  const db = service.database.db;
  const users = new Map<Login, UserFacts>();
  const pulls = await db.selectFrom('pull_permissions').selectAll().execute();
  for (const login of LOGINS) {
    const user = await db
      .selectFrom('users')
      .selectAll()
      .where('login_name', '=', login)
      .executeTakeFirstOrThrow();
    const groups = (
      await db.selectFrom('group_members').select('group_id').where('user_id', '=', user.id).execute()
    ).map((g) => g.group_id);
    const roles = [
      ...(await db.selectFrom('user_roles').select('role_id').where('user_id', '=', user.id).execute()),
      ...(groups.length === 0
        ? []
        : await db.selectFrom('group_roles').select('role_id').where('group_id', 'in', groups).execute()),
    ].map((r) => r.role_id);
    const actions =
      roles.length === 0
        ? []
        : await db.selectFrom('role_actions').select('action').where('role_id', 'in', roles).execute();
    const foreign = await db
      .selectFrom('user_foreign_departments')
      .select('department_id')
      .where('user_id', '=', user.id)
      .execute();
    const licenses = await db
      .selectFrom('user_licenses')
      .select('license')
      .where('user_id', '=', user.id)
      .execute();
    const granted = pulls.filter(
      (p) =>
        (p.grantee_kind === 'user' && p.grantee_id === user.id) ||
        (p.grantee_kind === 'group' && groups.includes(p.grantee_id)),
    );
    users.set(login, {
      id: user.id,
      departments: new Set([user.home_department_id, ...foreign.map((f) => f.department_id)]),
      licenses: new Set(licenses.map((l) => l.license)),
      actions: new Set(actions.map((a) => a.action)),
      pullQueues: new Set(granted.filter((p) => p.target_kind === 'queue').map((p) => p.target_id)),
      pullUsers: new Set(granted.filter((p) => p.target_kind === 'user').map((p) => p.target_id)),
    });
  }
  const custom = await db.selectFrom('activity_types').select('name').execute();
  return {
    users,
    pickableTypes: new Set(['email', 'social', 'task', ...custom.map((t) => t.name)]),
    initial: (await snapshot(service)).activities,
  };
}

async function snapshot(service: TestService): Promise<Snapshot> {
  const db = service.database.db;
  const activities = (await db
    .selectFrom('activities')
    .selectAll()
    .orderBy('id')
    .execute()) as unknown as ActivityRow[];
  const history = (await db
    .selectFrom('activity_history')
    .selectAll()
    .orderBy('id')
    .execute()) as unknown as HistoryRow[];
  return { activities, history };
}

// ---------------------------------------------------------------------------------------------
// From a spec to bytes on the wire, and what the contract says the answer must be.

/** A JSON tree whose text we write ourselves: any key (`__proto__`, ''), any depth, any order. */
type JNode =
  | { readonly t: 'obj'; readonly entries: readonly (readonly [string, JNode])[] }
  | { readonly t: 'arr'; readonly items: readonly JNode[] }
  | { readonly t: 'val'; readonly v: Json }
  | { readonly t: 'raw'; readonly text: string };

function serialize(node: JNode): string {
  switch (node.t) {
    case 'obj':
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(',')}}`;
    case 'arr':
      return `[${node.items.map(serialize).join(',')}]`;
    case 'val':
      return JSON.stringify(node.v);
    case 'raw':
      return node.text;
  }
}

const bigText = (s: BigString): string => s.ch.repeat(s.big);
const keyText = (key: KeySpec): string => (typeof key === 'string' ? key : bigText(key));
const deepText = (depth: number, shape: 'arr' | 'obj'): string =>
  shape === 'arr' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth);

function valueNode(value: ValueSpec): JNode {
  switch (value.k) {
    case 'json':
      return { t: 'val', v: value.v };
    case 'big':
      return { t: 'val', v: bigText(value.s) };
    case 'deep':
      return { t: 'raw', text: deepText(value.depth, value.shape) };
  }
}

/** A possible answer: the code, and an optional check of the error body for that code. */
interface Outcome {
  readonly codes: readonly string[];
  /** Attribute names the error may name (146/147/152) or parameter names (400-101). */
  readonly names?: readonly string[];
  /** Exactly the ids the error must list (compared as a set; `details` keeps at most 30). */
  readonly ids?: readonly string[];
  /** 403-178: the action the message names. */
  readonly action?: string;
}

/** Checked in the contract's order; `maybe` steps are debatable inputs that may or may not fail. */
type Step =
  | { readonly kind: 'pass' }
  | { readonly kind: 'fail'; readonly outcome: Outcome }
  | { readonly kind: 'maybe'; readonly outcome: Outcome };

interface PickItem {
  readonly id: string;
  readonly ms: number;
}

interface Exchange {
  readonly spec: RequestSpec;
  readonly raw: {
    path: string;
    headers: Record<string, string | undefined>;
    body: string | Buffer | undefined;
  };
  readonly response: HttpResponse;
  readonly before: Snapshot;
  readonly after: Snapshot;
  /** Every answer the contract allows ('204' included), in no particular order. */
  readonly allowed: readonly Outcome[];
  /** The request breaks a rule the test knows for sure: it must not succeed. */
  readonly mustReject: boolean;
  readonly media: 'json' | 'xml' | undefined;
  readonly locale: Locale | undefined;
  readonly wantsUserMessage: boolean;
  readonly login: Login | undefined;
  /** The caller's user id when the token is a valid one. */
  readonly callerId: string | undefined;
  readonly items: readonly PickItem[] | undefined;
  readonly unpin: boolean;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function authorizationOf(auth: AuthSpec, service: TestService): string | undefined {
  switch (auth.kind) {
    case 'token':
      return auth.scheme + service.token(auth.login, { scope: auth.scope });
    case 'expired':
      return `Bearer ${service.token(auth.login, { issuedAtMs: Date.now() - 7_200_000, expiresInSeconds: 60 })}`;
    case 'tampered': {
      const token = service.token(auth.login);
      const at = token.length - 20; // inside the signature, away from its padding bits
      return `Bearer ${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    }
    case 'unsigned': {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        sub: auth.login,
        scope: MANAGE,
        iss: EMBEDDED_ISSUER,
        aud: EMBEDDED_AUDIENCE,
        iat: now,
        exp: now + 3600,
      };
      return `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    }
    case 'unknown-user':
      return `Bearer ${service.token('mallory')}`;
    case 'raw':
      return auth.value;
    case 'absent':
      return undefined;
  }
}

function formatLm(ms: number, lm: Extract<LmSpec, { k: 'current' }>): { text: string; ms: number } {
  const iso = new Date(ms).toISOString();
  switch (lm.fmt) {
    case 'iso':
      return { text: iso, ms };
    case 'lower': // RFC 3339 §5.6: "T" and "Z" may be lower case
      return { text: iso.replace('T', 't').replace('Z', 'z'), ms };
    case 'zeros':
      return { text: iso.replace('Z', `${'0'.repeat(lm.zeros)}Z`), ms };
    case 'negzero': // RFC 3339 §4.3: -00:00 is UTC with an unknown local offset
      return { text: iso.replace('Z', '-00:00'), ms };
    case 'sec':
      return { text: iso.replace(/\.\d{3}Z$/, 'Z'), ms: Math.floor(ms / 1000) * 1000 };
    case 'offset': {
      const local = new Date(ms + lm.offsetMin * 60_000).toISOString().slice(0, -1);
      const abs = Math.abs(lm.offsetMin);
      const sign = lm.offsetMin < 0 ? '-' : '+';
      const hh = String(Math.floor(abs / 60)).padStart(2, '0');
      const mm = String(abs % 60).padStart(2, '0');
      return { text: `${local}${sign}${hh}:${mm}`, ms };
    }
  }
}

const FIXTURE_ID = (n: number): string => String(100000 + n);

interface BodyAnalysis {
  readonly text: string | Buffer | undefined;
  /** Rule 4, once the size is known to be within the limit (413 and 264 are judged by the caller). */
  readonly shape: Step;
  readonly items?: readonly PickItem[];
}

/** The body on the wire and its rule-4 verdict, by the contract's precedence: 104, 147, 146, 152, 105. */
function buildBody(body: BodySpec, rows: ReadonlyMap<string, ActivityRow>): BodyAnalysis {
  const fail = (codes: string[], extra: Omit<Outcome, 'codes'> = {}): Step => ({
    kind: 'fail',
    outcome: { codes, ...extra },
  });
  switch (body.k) {
    case 'none':
      return { text: undefined, shape: fail(['400-264']) };
    case 'empty':
      return { text: '', shape: fail(['400-264']) };
    case 'bigText':
    case 'text':
    case 'bytes': {
      const wire = body.k === 'bytes' ? Buffer.from(body.b) : body.k === 'text' ? body.t : bigText(body.s);
      return { text: wire, shape: judgeUnknownText(typeof wire === 'string' ? wire : wire.toString('utf8')) };
    }
    case 'deep':
      // An array is not an object (152); nested objects start with the unknown attribute "a" (147).
      return {
        text: deepText(body.depth, body.shape),
        shape: body.shape === 'arr' ? fail(['400-152']) : fail(['400-147'], { names: ['a'] }),
      };
    case 'pick':
      return buildPickBody(body, rows);
  }
}

/** A body of arbitrary bytes: empty is "missing" (400-264); whitespace only is a body that is not JSON. */
function judgeUnknownText(text: string): Step {
  if (text.length === 0) return { kind: 'fail', outcome: { codes: ['400-264'] } };
  if (text.trim() === '') return { kind: 'fail', outcome: { codes: ['400-152'] } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'fail', outcome: { codes: ['400-152'] } };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { kind: 'fail', outcome: { codes: ['400-152'] } };
  }
  if (Object.keys(parsed).length === 0)
    return { kind: 'fail', outcome: { codes: ['400-146'], names: ['activity'] } };
  return { kind: 'fail', outcome: { codes: BODY_CODES.slice(2) } };
}

function buildPickBody(
  body: Extract<BodySpec, { k: 'pick' }>,
  rows: ReadonlyMap<string, ActivityRow>,
): BodyAnalysis {
  const unknown: string[] = []; // 147, in document order
  const missing: string[][] = []; // 146: per offending object, the names it lacks
  const bad: string[] = []; // 152, in document order
  let notObjectItem = false;
  const items: PickItem[] = [];
  const canonical: string[] = [];
  let tooMany = false;

  const topKey = (key: KeySpec) => (keyText(key) === 'activity' ? 'activity_' : keyText(key));
  const itemKey = (key: KeySpec) => {
    const text = keyText(key);
    return text === 'id' || text === 'lastModified' ? `${text}_` : text;
  };

  const activityNode = (): JNode | undefined => {
    const activity = body.activity;
    if (activity.k === 'absent') {
      missing.push(['activity']);
      return undefined;
    }
    if (activity.k === 'wrong') {
      bad.push('activity');
      return { t: 'val', v: activity.v };
    }
    if (activity.items.length === 0) missing.push(['activity']);
    if (activity.items.length > MAX_ITEMS) tooMany = true;
    return {
      t: 'arr',
      items: activity.items.map((item): JNode => {
        if (item.k === 'notObj') {
          notObjectItem = true;
          return { t: 'val', v: item.v };
        }
        const { idNode, id } = buildId(item.id);
        const { lmNode, ms } = buildLm(item.lm, id, rows);
        const known: (readonly [string, JNode, 'id' | 'lastModified'])[] = [];
        if (item.drop !== 'id' && item.drop !== 'both') known.push(['id', idNode, 'id']);
        if (item.drop !== 'lastModified' && item.drop !== 'both')
          known.push(['lastModified', lmNode, 'lastModified']);
        if (item.lmFirst) known.reverse();
        const extras = item.extras.map((e) => [itemKey(e.key), valueNode(e.value), 'extra'] as const);
        const at = Math.min(item.extrasAt, known.length);
        const entries = [...known.slice(0, at), ...extras, ...known.slice(at)];
        for (const [key, , role] of entries) {
          if (role === 'extra') unknown.push(`activity.${key}`);
          else if (role === 'id' && id === undefined) bad.push('activity.id');
          else if (role === 'lastModified' && ms === undefined) bad.push('activity.lastModified');
        }
        const lacks =
          known.length === 2 ? [] : ['id', 'lastModified'].filter((n) => !known.some((k) => k[0] === n));
        if (lacks.length > 0) missing.push(lacks.map((n) => `activity.${n}`));
        if (id !== undefined) canonical.push(id);
        if (id !== undefined && ms !== undefined && lacks.length === 0) items.push({ id, ms });
        return { t: 'obj', entries: entries.map(([k, v]) => [k, v] as const) };
      }),
    };
  };

  // Document order at the top level: extras before `activity`, `activity` (and its items), extras after.
  const top: (readonly [string, JNode])[] = [];
  const at = Math.min(body.activityAt, body.extras.length);
  for (const extra of body.extras.slice(0, at)) {
    top.push([topKey(extra.key), valueNode(extra.value)]);
    unknown.push(topKey(extra.key));
  }
  const node = activityNode();
  if (node) top.push(['activity', node]);
  for (const extra of body.extras.slice(at)) {
    top.push([topKey(extra.key), valueNode(extra.value)]);
    unknown.push(topKey(extra.key));
  }
  const text = serialize({ t: 'obj', entries: top });
  const fail = (outcome: Outcome): BodyAnalysis => ({ text, shape: { kind: 'fail', outcome } });

  if (tooMany) return fail({ codes: ['400-104'] });
  // JSON.parse puts integer-like keys ("0", "42") before the others of their object, so the service
  // sees them first (docs/decisions.md); with such a key any unknown attribute may be named first.
  const indexLike = unknown.some((name) => /^(0|[1-9]\d{0,8})$/.test(name.split('.').pop() ?? ''));
  if (unknown.length > 0) return fail({ codes: ['400-147'], names: indexLike ? unknown : [unknown[0]] });
  // An item that is not an object lacks both attributes and has the wrong type: 146 or 152.
  if (notObjectItem) return fail({ codes: ['400-146', '400-152'] });
  if (missing.length > 0) return fail({ codes: ['400-146'], names: missing[0] });
  if (bad.length > 0) return fail({ codes: ['400-152'], names: [bad[0]] });
  const repeated = [...new Set(canonical.filter((id, i) => canonical.indexOf(id) !== i))];
  if (repeated.length > 0) return fail({ codes: ['400-105'], ids: repeated });
  return { text, shape: { kind: 'pass' }, items };
}

function buildId(id: IdSpec): { idNode: JNode; id: string | undefined } {
  switch (id.k) {
    case 'fixture':
      return {
        idNode: { t: 'val', v: id.asNumber ? 100000 + id.n : FIXTURE_ID(id.n) },
        id: FIXTURE_ID(id.n),
      };
    case 'digits':
      return { idNode: { t: 'val', v: id.v }, id: id.v };
    case 'int':
      return { idNode: { t: 'val', v: id.v }, id: String(id.v) };
    case 'bad':
      return { idNode: valueNode(id.v), id: undefined };
  }
}

function buildLm(
  lm: LmSpec,
  id: string | undefined,
  rows: ReadonlyMap<string, ActivityRow>,
): { lmNode: JNode; ms: number | undefined } {
  const stored =
    (id !== undefined && rows.get(id)?.last_modified_ms) || Date.parse('2026-11-01T12:00:00.000Z');
  switch (lm.k) {
    case 'current': {
      const { text, ms } = formatLm(Number(stored), lm);
      return { lmNode: { t: 'val', v: text }, ms };
    }
    case 'stale': {
      const ms = Number(stored) + lm.delta;
      return { lmNode: { t: 'val', v: new Date(ms).toISOString() }, ms };
    }
    case 'date':
      return { lmNode: { t: 'val', v: new Date(lm.ms).toISOString() }, ms: lm.ms };
    case 'bad':
      return { lmNode: valueNode(lm.v), ms: undefined };
  }
}

function queryString(query: readonly QueryParam[]): string {
  if (query.length === 0) return '';
  return `?${query
    .map((p) => encodeURIComponent(p.name) + (p.value === null ? '' : `=${encodeURIComponent(p.value)}`))
    .join('&')}`;
}

function judgeQuery(query: readonly QueryParam[]): Step {
  const unknown = [...new Set(query.map((p) => p.name).filter((name) => name !== 'unpin'))];
  const unpins = query.filter((p) => p.name === 'unpin');
  const badUnpin = unpins.length > 1 || unpins.some((p) => p.value !== 'yes');
  // The contract does not order 400-101 and 400-102 when both apply.
  if (unknown.length > 0 && badUnpin) return { kind: 'fail', outcome: { codes: ['400-101', '400-102'] } };
  if (unknown.length > 0) return { kind: 'fail', outcome: { codes: ['400-101'], names: unknown } };
  if (badUnpin) return { kind: 'fail', outcome: { codes: ['400-102'], names: ['unpin'] } };
  return { kind: 'pass' };
}

/** Rules 7–19 of the contract, judged on the rows as they were just before the request. */
function judgeActivities(
  world: World,
  user: UserFacts,
  items: readonly PickItem[],
  unpin: boolean,
  rows: ReadonlyMap<string, ActivityRow>,
): Step {
  const fail = (code: string, ids: string[], action?: string): Step => ({
    kind: 'fail',
    outcome: { codes: [code], ids, ...(action ? { action } : {}) },
  });
  const notFound = items.filter((i) => !rows.has(i.id)).map((i) => i.id);
  if (notFound.length > 0) return fail('400-194', notFound);
  const found = items.map((i) => ({ item: i, row: rows.get(i.id)! }));
  const assigned = (r: ActivityRow) => r.status === 'assigned';
  const mailLike = (r: ActivityRow) => r.type === 'email' || r.type === 'social';
  const rules: [string, (r: ActivityRow, i: PickItem) => boolean, string?][] = [
    ['403-179', (r) => !user.departments.has(r.department_id)],
    ['400-301', (r) => Boolean(Number(r.is_draft_response))],
    ['400-302', (r) => !world.pickableTypes.has(r.type)],
    ['400-303', (r) => assigned(r) && r.assigned_user_id === user.id],
    ['400-304', (r) => r.status !== 'awaiting_assignment' && !assigned(r)],
    [
      '403-180',
      (r) =>
        mailLike(r)
          ? !user.licenses.has('eGain Advisor Desktop') && !user.licenses.has('eGain MailPlus')
          : user.licenses.size === 0,
    ],
    [
      '403-181',
      (r) => r.status === 'awaiting_assignment' && (r.queue_id === null || !user.pullQueues.has(r.queue_id)),
    ],
    [
      '403-182',
      (r) => assigned(r) && (r.assigned_user_id === null || !user.pullUsers.has(r.assigned_user_id)),
    ],
    ['403-177', (r) => assigned(r) && Boolean(Number(r.locked))],
    ['400-305', (r) => assigned(r) && Boolean(Number(r.pinned)) && !unpin],
    ['403-178', (r) => assigned(r) && Boolean(Number(r.pinned)) && !user.actions.has('Unpin'), 'Unpin'],
    ['409-100', (r, i) => Number(r.last_modified_ms) !== i.ms],
  ];
  for (const [code, breaks, action] of rules) {
    const ids = found.filter(({ row, item }) => breaks(row, item)).map(({ item }) => item.id);
    if (ids.length > 0) return fail(code, ids, action);
  }
  return { kind: 'fail', outcome: { codes: ['204'] } };
}

/** Puts back the activities that picks have changed since the fixture was imported (history stays). */
async function resetActivities(service: TestService, world: World): Promise<void> {
  const current = new Map((await snapshot(service)).activities.map((row) => [row.id, row]));
  for (const row of world.initial) {
    if (isDeepStrictEqual(current.get(row.id), row)) continue;
    const { id, ...columns } = row;
    await service.database.db.updateTable('activities').set(columns).where('id', '=', id).execute();
  }
}

async function exchange(service: TestService, world: World, spec: RequestSpec): Promise<Exchange> {
  if (spec.reset) await resetActivities(service, world);
  const before = await snapshot(service);
  const rows = new Map(before.activities.map((row) => [row.id, row]));
  const built = buildBody(spec.body, rows);
  const raw = {
    path: PICK_PATH + queryString(spec.query),
    headers: {
      authorization: authorizationOf(spec.auth, service),
      accept: spec.accept.value,
      'accept-language': spec.language.value,
      'content-type': spec.contentType.value,
      'x-egain-error-message': spec.errorMessage,
    },
    body: built.text,
  };
  const response = await service.request({ method: 'PATCH', ...raw });
  const after = await snapshot(service);

  // The contract's order: rule 1, rule 2, rule 3, rule 4 (413, 264, then the shape), 5, 6, 7–19.
  const size = built.text === undefined ? 0 : Buffer.byteLength(built.text);
  const login = spec.auth.kind === 'token' ? spec.auth.login : undefined;
  const user = login ? world.users.get(login) : undefined;
  const headerStep = (c: Choice<unknown>, code: string): Step =>
    c.expect === 'none'
      ? { kind: 'fail', outcome: { codes: [code] } }
      : c.expect === 'maybe'
        ? { kind: 'maybe', outcome: { codes: [code] } }
        : { kind: 'pass' };
  const unpin = judgeQuery(spec.query).kind === 'pass' && spec.query.length === 1;
  const steps: (() => Step)[] = [
    () => (spec.auth.kind === 'token' ? { kind: 'pass' } : { kind: 'fail', outcome: { codes: ['401-101'] } }),
    () => headerStep(spec.accept, '406-101'),
    () => headerStep(spec.language, '406-100'),
    () => (size > 0 ? headerStep(spec.contentType, '415-100') : { kind: 'pass' }),
    () => judgeQuery(spec.query),
    () => (size > MAX_BODY_BYTES ? { kind: 'fail', outcome: { codes: ['413-100'] } } : { kind: 'pass' }),
    () => (size === 0 ? { kind: 'fail', outcome: { codes: ['400-264'] } } : built.shape),
    () =>
      spec.auth.kind === 'token' && spec.auth.scope.split(' ').includes(MANAGE)
        ? { kind: 'pass' }
        : { kind: 'fail', outcome: { codes: ['403-197'] } },
    () =>
      user!.actions.has('Pick Activities')
        ? { kind: 'pass' }
        : { kind: 'fail', outcome: { codes: ['403-178'], action: 'Pick Activities' } },
    () => judgeActivities(world, user!, built.items!, unpin, rows),
  ];
  const allowed: Outcome[] = [];
  let mustReject = false;
  for (const step of steps) {
    const verdict = step();
    if (verdict.kind === 'pass') continue;
    allowed.push(verdict.outcome);
    if (verdict.kind === 'fail') {
      mustReject = !verdict.outcome.codes.includes('204');
      break;
    }
  }
  return {
    spec,
    raw,
    response,
    before,
    after,
    allowed,
    mustReject,
    media: spec.accept.expect === 'xml' ? 'xml' : spec.accept.expect === 'maybe' ? undefined : 'json',
    locale:
      spec.language.expect === 'none'
        ? 'en-US'
        : spec.language.expect === 'maybe'
          ? undefined
          : spec.language.expect,
    wantsUserMessage: (spec.errorMessage ?? '').trim().toLowerCase() === 'yes',
    login,
    callerId: user?.id,
    items: built.items,
    unpin,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading answers.

interface ErrorBody {
  readonly code: string;
  readonly developerMessage: string;
  readonly details?: readonly { key: string; value: string }[];
  readonly userMessage?: string;
}

const xml = new XMLParser({
  ...XML_TEXT_OPTIONS,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'detail',
});

function describeExchange(x: Exchange): string {
  const body =
    x.raw.body === undefined
      ? '(none)'
      : typeof x.raw.body === 'string'
        ? JSON.stringify(
            x.raw.body.length > 400
              ? `${x.raw.body.slice(0, 400)}… (${x.raw.body.length} chars)`
              : x.raw.body,
          )
        : `bytes ${x.raw.body.toString('hex').slice(0, 200)}`;
  const headers = Object.entries(x.raw.headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${k}: ${k === 'authorization' && v!.length > 60 ? `${v!.slice(0, 40)}…` : v}`)
    .join('\n');
  const answer = x.response.text.length > 600 ? `${x.response.text.slice(0, 600)}…` : x.response.text;
  return [
    `PATCH ${x.raw.path.length > 300 ? `${x.raw.path.slice(0, 300)}…` : x.raw.path}`,
    headers,
    `  body: ${body}`,
    `→ ${x.response.status} ${String(x.response.headers['content-type'] ?? '')}`,
    `  ${answer}`,
    `allowed: ${JSON.stringify(x.allowed)}`,
  ].join('\n');
}

function parseErrorBody(x: Exchange): { media: 'json' | 'xml'; body: ErrorBody } {
  const type = String(x.response.headers['content-type'] ?? '');
  const why = `\n${describeExchange(x)}`;
  if (/^application\/json\b/.test(type)) {
    const body = JSON.parse(x.response.text) as ErrorBody;
    assert.ok(body !== null && typeof body === 'object', `JSON error body is an object${why}`);
    const extra = Object.keys(body).filter(
      (k) => !['code', 'developerMessage', 'details', 'userMessage'].includes(k),
    );
    assert.deepEqual(extra, [], `JSON error body has only eGain's fields${why}`);
    return { media: 'json', body };
  }
  assert.match(type, /^application\/xml\b/, `error body is JSON or XML${why}`);
  const tree = xml.parse(x.response.text) as Record<string, unknown>;
  const error = tree.error as Record<string, unknown> | undefined;
  assert.ok(error && typeof error === 'object', `XML error body has an <error> root${why}`);
  assert.equal(error['@_xmlns'], COMMON_NS, `XML error body is in eGain's common namespace${why}`);
  const order = ['<code>', '<developerMessage>', '<details>', '<userMessage>']
    .map((tag) => x.response.text.indexOf(tag))
    .filter((i) => i >= 0);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    `XML fields in the contract's order${why}`,
  );
  const details = error.details as { detail?: { key: unknown; value: unknown }[] } | '' | undefined;
  /** An element holding text (an empty element parses as ''). */
  const text = (value: unknown, what: string): string => {
    assert.equal(typeof value, 'string', `XML ${what} holds text${why}`);
    return value as string;
  };
  return {
    media: 'xml',
    body: {
      code: text(error.code, '<code>'),
      developerMessage: text(error.developerMessage, '<developerMessage>'),
      ...(details !== undefined
        ? {
            details: (details === '' ? [] : (details.detail ?? [])).map((d) => ({
              key: text(d.key, '<key>'),
              value: text(d.value, '<value>'),
            })),
          }
        : {}),
      ...(error.userMessage !== undefined ? { userMessage: text(error.userMessage, '<userMessage>') } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The properties. Each takes one exchange and asserts; they share the arbitrary and the server.

type Property = (x: Exchange) => void;

/** Never 5xx; documented code with its HTTP status; well-formed body; userMessage iff asked; rejection changes nothing; 204 changes exactly the requested activities. */
const answersWithinTheContract: Property = (x) => {
  const why = `\n${describeExchange(x)}`;
  assert.ok(x.response.status < 500, `never 5xx${why}`);
  if (x.response.status === 204) {
    assert.equal(x.response.text, '', `204 has no body${why}`);
    assert.ok(!x.mustReject, `a request the contract rejects was answered 204${why}`);
    checkPicked(x, why);
    return;
  }
  const { body } = parseErrorBody(x);
  assert.ok(PICK_CODES.has(body.code), `code ${body.code} is documented for this endpoint${why}`);
  assert.equal(x.response.status, Number(body.code.slice(0, 3)), `HTTP status is the code's prefix${why}`);
  assert.equal(typeof body.developerMessage, 'string', `developerMessage is a string${why}`);
  assert.ok(body.developerMessage.length > 0, `developerMessage is not empty${why}`);
  if (body.details !== undefined) {
    assert.ok(Array.isArray(body.details), `details is a list${why}`);
    for (const d of body.details) {
      assert.ok(
        typeof d.key === 'string' && typeof d.value === 'string',
        `details are key/value strings${why}`,
      );
    }
  }
  assert.equal(
    body.userMessage !== undefined,
    x.wantsUserMessage,
    `userMessage iff X-egain-error-message: yes${why}`,
  );
  if (body.userMessage !== undefined) assert.ok(body.userMessage.length > 0, `userMessage not empty${why}`);
  assert.deepEqual(x.after, x.before, `a rejected request changes no stored activity nor history${why}`);
};

function checkPicked(x: Exchange, why: string): void {
  const caller = x.login === undefined ? undefined : x.spec.auth;
  assert.ok(caller && caller.kind === 'token', `204 only for a valid user token${why}`);
  const requested = new Set((x.items ?? []).map((i) => i.id));
  assert.ok(requested.size > 0, `204 only for a body naming activities${why}`);
  const beforeRows = new Map(x.before.activities.map((r) => [r.id, r]));
  const afterRows = new Map(x.after.activities.map((r) => [r.id, r]));
  assert.deepEqual([...afterRows.keys()], [...beforeRows.keys()], `no activity appears or disappears${why}`);
  const userId = x.callerId;
  for (const [id, old] of beforeRows) {
    const now = afterRows.get(id)!;
    if (!requested.has(id)) {
      assert.deepEqual(now, old, `activity ${id} was not requested and must not change${why}`);
      continue;
    }
    assert.equal(now.status, 'assigned', `${id}: status assigned${why}`);
    assert.equal(now.substatus, 'new', `${id}: substatus new${why}`);
    assert.equal(now.assigned_user_id, userId, `${id}: assigned to the caller${why}`);
    assert.equal(Number(now.pinned), 0, `${id}: not pinned${why}`);
    assert.equal(Number(now.locked), 0, `${id}: not locked${why}`);
    assert.equal(now.queue_id, old.queue_id, `${id}: queue unchanged${why}`);
    assert.equal(now.department_id, old.department_id, `${id}: department unchanged${why}`);
    assert.ok(
      Number(now.last_modified_ms) > Number(old.last_modified_ms),
      `${id}: lastModified moves forward${why}`,
    );
    assert.equal(now.last_modified_by, userId, `${id}: lastModifiedBy is the caller${why}`);
    assert.equal(now.last_action, 'picked', `${id}: last action picked${why}`);
    if (Number(old.pinned))
      assert.ok(x.unpin, `${id}: a pinned activity is picked only with unpin=yes${why}`);
  }
  const seen = new Set(x.before.history.map((h) => String(h.id)));
  const added = x.after.history.filter((h) => !seen.has(String(h.id)));
  assert.equal(
    x.after.history.length - added.length,
    x.before.history.length,
    `history is append-only${why}`,
  );
  assert.deepEqual(
    added.map((h) => h.activity_id).sort(),
    [...requested].sort(),
    `one history entry per picked activity${why}`,
  );
  for (const h of added) {
    const old = beforeRows.get(h.activity_id)!;
    const fromUser = old.status === 'assigned' && old.assigned_user_id !== null;
    assert.deepEqual(
      {
        from_kind: h.from_kind,
        from_id: h.from_id,
        to: h.to_user_id,
        by: h.by_user_id,
        unpinned: Number(h.unpinned),
      },
      {
        from_kind: fromUser ? 'user' : 'queue',
        from_id: fromUser ? old.assigned_user_id : old.queue_id,
        to: userId,
        by: userId,
        unpinned: Number(old.pinned) ? 1 : 0,
      },
      `history entry of ${h.activity_id}${why}`,
    );
  }
}

/** eGain's limits on error bodies. */
const withinEgainLimits: Property = (x) => {
  if (x.response.status === 204) return;
  const why = `\n${describeExchange(x)}`;
  const { body } = parseErrorBody(x);
  assert.ok(
    body.developerMessage.length <= 255,
    `developerMessage has ${body.developerMessage.length} > 255 characters${why}`,
  );
  assert.ok((body.details ?? []).length <= 30, `details has at most 30 entries${why}`);
};

// XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * What an XML error body can carry of a client's text: characters XML 1.0 forbids (and lone
 * surrogates) become U+FFFD (docs/decisions.md).
 */
const asXml = (text: string): string => asSent(text).replace(new RegExp(NOT_XML_CHAR.source, 'g'), '\uFFFD');

/** What a UTF-8 encoder sends for ill-formed UTF-16: U+FFFD for each lone surrogate. */
const asSent = (text: string): string => text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');

/** Error bodies are well-formed text: Unicode without lone surrogates (a cut never splits a character), XML 1.0 characters only. */
function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const wellFormedText: Property = (x) => {
  if (x.response.status === 204) return;
  const why = `\n${describeExchange(x)}`;
  const { media, body } = parseErrorBody(x);
  if (media === 'xml') {
    const bad = NOT_XML_CHAR.exec(x.response.text);
    assert.ok(
      !bad,
      `the XML error body holds U+${bad?.[0].charCodeAt(0).toString(16).padStart(4, '0')}, which XML 1.0 forbids${why}`,
    );
    const sent = `${x.raw.path}${x.raw.body === undefined ? '' : x.raw.body.toString()}`;
    // U+FFFD may stand for a character XML cannot carry; otherwise it would mean a cut in half.
    const echoesUnrepresentable = x.allowed.some((o) => (o.names ?? []).some((n) => asXml(n) !== n));
    if (
      !sent.includes('\uFFFD') &&
      !echoesUnrepresentable &&
      !NOT_XML_CHAR.test(decodeURIComponentSafe(sent))
    ) {
      assert.ok(
        !body.developerMessage.includes('\uFFFD'),
        `the XML developerMessage holds U+FFFD: a character was cut in half${why}`,
      );
    }
    return;
  }
  const texts = [
    body.developerMessage,
    body.userMessage ?? '',
    ...(body.details ?? []).flatMap((d) => [d.key, d.value]),
  ];
  for (const text of texts) {
    assert.ok(
      !LONE_SURROGATE.test(text),
      `${JSON.stringify(text.slice(-40))} holds a lone surrogate: a character was cut in half${why}`,
    );
  }
};

/** The answer is the one the contract's rule order gives, naming every offending id. */
const answersByTheRuleOrder: Property = (x) => {
  const why = `\n${describeExchange(x)}`;
  const code = x.response.status === 204 ? '204' : parseErrorBody(x).body.code;
  const outcome = x.allowed.find((o) => o.codes.includes(code));
  assert.ok(outcome, `answer ${code} is one the contract's order allows${why}`);
  if (code === '204') {
    if (x.login) checkPicked(x, why);
    return;
  }
  const { body } = parseErrorBody(x);
  if (outcome.ids && ID_LIST_CODES.has(code)) {
    const listed = (body.details ?? []).filter((d) => d.key === 'activityId').map((d) => d.value);
    const expected = [...new Set(outcome.ids)];
    if (expected.length <= 30) {
      assert.deepEqual([...listed].sort(), [...expected].sort(), `${code} lists every offending id${why}`);
    } else {
      assert.equal(listed.length, 30, `details keep 30 of the offending ids${why}`);
      assert.ok(
        listed.every((id) => expected.includes(id)),
        `${code} lists offending ids only${why}`,
      );
    }
  }
  if (code === '403-178' && outcome.action === 'Unpin') {
    const listed = (body.details ?? []).filter((d) => d.key === 'activityId').map((d) => d.value);
    assert.deepEqual(
      [...listed].sort(),
      [...outcome.ids!].sort(),
      `403-178 (Unpin) lists the pinned ids${why}`,
    );
  }
};

/** Within one code, the first offending attribute (or every unsupported parameter) is named. */
const namesTheOffendingAttribute: Property = (x) => {
  if (x.response.status === 204) return;
  const why = `\n${describeExchange(x)}`;
  const { media, body } = parseErrorBody(x);
  const found = x.allowed.find((o) => o.codes.length === 1 && o.codes[0] === body.code);
  if (!found?.names) return;
  const outcome = { ...found, names: media === 'xml' ? found.names.map(asXml) : found.names };
  if (body.code === '400-101') {
    const named = (body.details ?? []).map((d) => d.value);
    assert.deepEqual(
      [...named].sort(),
      [...outcome.names].sort(),
      `400-101 names every unsupported parameter${why}`,
    );
    return;
  }
  if (body.code === '400-102') return;
  const named = (body.details ?? []).find((d) => d.key === 'attribute')?.value;
  assert.ok(
    named !== undefined && outcome.names.includes(named),
    `${body.code} names ${JSON.stringify(named)}, expected ${outcome.names.map((n) => JSON.stringify(n)).join(' or ')}${why}`,
  );
};

/** Error bodies come in the negotiated media type (406-101: JSON) and language (none acceptable: en-US). */
const speaksTheNegotiatedLanguage: Property = (x) => {
  if (x.response.status === 204) return;
  const why = `\n${describeExchange(x)}`;
  const { media, body } = parseErrorBody(x);
  const expectedMedia = body.code === '406-101' ? 'json' : x.media;
  if (expectedMedia !== undefined) assert.equal(media, expectedMedia, `error body media type${why}`);
  if (x.locale === undefined) return;
  const params = paramsOf(body);
  if (params === undefined) return;
  // Judged by an oracle of the test's own (test/support/message-oracle.ts: the catalog file of the
  // locale the test asked for, plain substitution), never by the service's Messages class, which
  // would agree with the service if it served the wrong catalog. Ill-formed text (a cut inside a
  // surrogate pair) is the concern of `wellFormedText`: here the text is compared as a UTF-8
  // encoder sends it.
  const developer = checkDeveloperMessage(x.locale, body.code, params, body.developerMessage);
  if (!developer.ok)
    assert.equal(body.developerMessage, asSent(developer.expected), `developerMessage in ${x.locale}${why}`);
  if (body.userMessage !== undefined) {
    assert.equal(
      body.userMessage,
      asSent(expectedUserMessage(x.locale, body.code, params)),
      `userMessage in ${x.locale}${why}`,
    );
  }
};

/** The message parameters, recovered from `details` where they can be. */
function paramsOf(body: ErrorBody): OracleParams | undefined {
  const details = body.details ?? [];
  const values = details.map((d) => d.value);
  if (ID_LIST_CODES.has(body.code)) return details.length < 30 ? { ids: values } : undefined;
  switch (body.code) {
    case '400-101':
      return details.length < 30 ? { names: values } : undefined;
    case '400-102':
      // Pick's one parameter with a value list is unpin, whose only value is yes.
      return { name: values[0] ?? '', values: 'yes' };
    case '400-104':
      return { max: MAX_ITEMS };
    case '413-100':
      return { max: MAX_BODY_BYTES };
    case '415-100':
      return { header: values[0] ?? '' };
    case '400-146':
    case '400-147':
    case '400-152':
      return { attribute: values[0] ?? '' };
    case '403-178':
      return { action: details.some((d) => d.key === 'activityId') ? 'Unpin' : 'Pick Activities' };
    default:
      return {};
  }
}

// ---------------------------------------------------------------------------------------------

async function runProperty(
  service: TestService,
  world: World,
  property: Property,
  numRuns: number,
  arbitrary: fc.Arbitrary<RequestSpec> = requestArb,
): Promise<void> {
  const seed = SEED;
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (spec) => property(await exchange(service, world, spec))),
      {
        numRuns,
        seed,
        includeErrorInReport: true,
        ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
      },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`fast-check seed ${seed} (rerun with FC_SEED=${seed})\n${message}`, { cause: error });
  }
}

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL property suites', { skip: skipped }, () => undefined);

for (const dialect of dialects) {
  describe(`pick properties (${dialect})`, () => {
    let service: TestService;
    let world: World;
    before(async () => {
      service = await startTestService(dialect);
      world = await loadWorld(service);
    });
    after(() => service.close());

    it('never 5xx; every rejection is a documented code with its status, changes nothing; a 204 picks exactly the ids', async () => {
      // Guard against a vacuous run: the requests must reach the picks and many different rules.
      const seen = new Set<string>();
      await runProperty(
        service,
        world,
        (x) => {
          seen.add(x.response.status === 204 ? '204' : String(x.response.status));
          answersWithinTheContract(x);
        },
        RUNS(dialect, 300, 150),
      );
      assert.ok(seen.has('204'), `some requests picked (statuses seen: ${[...seen].join(', ')})`);
      assert.ok(
        seen.size >= 6,
        `requests reach many kinds of answers (statuses seen: ${[...seen].join(', ')})`,
      );
    });

    it('answers with the code the rule order gives, naming every offending id', async () => {
      await runProperty(service, world, answersByTheRuleOrder, RUNS(dialect, 300, 150));
    });

    it('names the first offending attribute and every unsupported parameter', async () => {
      await runProperty(
        service,
        world,
        namesTheOffendingAttribute,
        RUNS(dialect, 300, 150),
        fc.oneof(requestArb, echoArb),
      );
    });

    it('speaks the negotiated media type and language', async () => {
      await runProperty(service, world, speaksTheNegotiatedLanguage, RUNS(dialect, 300, 150));
    });

    it('keeps developerMessage within 255 characters and details within 30 entries', async () => {
      await runProperty(service, world, withinEgainLimits, RUNS(dialect, 300, 150));
    });

    it('sends error bodies of well-formed text: no character cut in half, XML 1.0 characters only', async () => {
      await runProperty(
        service,
        world,
        wellFormedText,
        RUNS(dialect, 300, 150),
        fc.oneof(requestArb, echoArb),
      );
    });

    it('accepts every RFC 3339 spelling of the stored lastModified', async () => {
      await runProperty(service, world, answersByTheRuleOrder, RUNS(dialect, 100, 50), spellingArb);
    });
  });
}
