// Message variants (src/http/message-variants.ts): a rule failure of transfer or complete keeps its
// code, status and details but is worded for its operation; without an operation — pick — every
// answer is the code's own message, as before variants existed. Real catalogs, real error bodies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IdsFailureKind, RuleFailure } from '../src/domain/failures.js';
import { ApiError, toApiError, tooManyActivities } from '../src/http/error-catalog.js';
import { buildErrorBody } from '../src/http/error-response.js';
import { MESSAGE_VARIANTS, type ActivityOperation } from '../src/http/message-variants.js';
import { Messages } from '../src/i18n/messages.js';

const messages = new Messages(['en-US', 'fr-FR']);
const IDS = ['6001', '6002'];

const body = (error: ApiError, locale: 'en-US' | 'fr-FR' = 'en-US') =>
  buildErrorBody(messages, error, locale, true);

/** Every failure a rule may answer with, one of each kind. */
const ID_KINDS: readonly IdsFailureKind[] = [
  'NotFound',
  'OutsideDepartments',
  'DraftResponse',
  'TypeNotPickable',
  'AlreadyAssignedToCaller',
  'StatusNotPickable',
  'LicenseMissing',
  'NoQueuePullPermission',
  'NoUserPullPermission',
  'LockedByAssignee',
  'PinnedWithoutUnpin',
  'StaleLastModified',
  'DuplicateIds',
  'UnknownInPath',
  'ModeNotTransferable',
  'AlreadyAssignedToTarget',
  'OutsideTargetUserDepartments',
  'OutsideQueueDepartment',
  'AlreadyInTargetQueue',
  'AlreadyInTargetDepartment',
  'DepartmentsNotShared',
  'NoTransferQueue',
  'TargetLicenseMissing',
  'NotAssignedToCaller',
];
const FAILURES: readonly RuleFailure[] = [
  { kind: 'MissingScope' },
  { kind: 'ActionNotAllowed', action: 'Pick Activities', ids: IDS },
  { kind: 'NoTransferPermission', target: { kind: 'user', id: '1003' } },
  { kind: 'NoTransferPermission', target: { kind: 'queue', id: '10' } },
  ...ID_KINDS.map((kind) => ({ kind, ids: IDS })),
];
const OPERATIONS: readonly ActivityOperation[] = ['transfer', 'complete'];

describe('message variants', () => {
  it("pick (no operation) answers every failure with its code's own message", () => {
    for (const failure of FAILURES) {
      const error = toApiError(failure);
      assert.equal(error.messageKey, error.code, failure.kind);
      assert.equal(
        body(error).developerMessage,
        messages.developerMessage('en-US', error.code, error.params),
        failure.kind,
      );
    }
  });

  it('an operation never changes the code, the HTTP status or the details', () => {
    for (const failure of FAILURES) {
      const own = toApiError(failure);
      for (const operation of OPERATIONS) {
        const worded = toApiError(failure, operation);
        assert.equal(worded.code, own.code, `${failure.kind} ${operation}`);
        assert.equal(worded.statusCode, own.statusCode, `${failure.kind} ${operation}`);
        assert.deepEqual(body(worded).details, body(own).details, `${failure.kind} ${operation}`);
      }
    }
  });

  it('an operation with a variant of the code answers it; any other answers the code’s own message', () => {
    for (const failure of FAILURES) {
      for (const operation of OPERATIONS) {
        const error = toApiError(failure, operation);
        const variant = `${error.code}#${operation}`;
        const expected = Object.hasOwn(MESSAGE_VARIANTS, variant) ? variant : error.code;
        assert.equal(error.messageKey, expected, `${failure.kind} ${operation}`);
      }
    }
  });

  it('transfer and complete word 400-301, 400-302 and 403-180 for themselves, in English and French', () => {
    const cases: [RuleFailure['kind'], ActivityOperation, string, string][] = [
      [
        'DraftResponse',
        'transfer',
        "The following activities are draft responses and cannot be transferred: '6001,6002'.",
        "Les activités suivantes sont des brouillons de réponse et ne peuvent pas être transférées : '6001,6002'.",
      ],
      [
        'TypeNotPickable',
        'complete',
        "The following activities are of a type that cannot be completed: '6001,6002'. Chat and web activities cannot be completed.",
        "Les activités suivantes sont d'un type qui ne peut pas être terminé : '6001,6002'. Les activités de chat et web ne peuvent pas être terminées.",
      ],
      [
        'LicenseMissing',
        'transfer',
        "The user does not have the license needed to transfer the following activities: '6001,6002'.",
        "L'utilisateur ne dispose pas de la licence nécessaire pour transférer les activités suivantes : '6001,6002'.",
      ],
      [
        'LicenseMissing',
        'complete',
        "The user does not have the license needed to complete the following activities: '6001,6002'.",
        "L'utilisateur ne dispose pas de la licence nécessaire pour terminer les activités suivantes : '6001,6002'.",
      ],
    ];
    for (const [kind, operation, english, french] of cases) {
      const error = toApiError({ kind, ids: IDS } as RuleFailure, operation);
      assert.equal(body(error).developerMessage, english);
      assert.equal(body(error, 'fr-FR').developerMessage, french);
      assert.doesNotMatch(body(error).userMessage ?? '', /\bpick/i, `${kind} ${operation}: userMessage`);
    }
  });

  it('400-104 is worded for transfer and complete, and stays pick’s without an operation', () => {
    assert.equal(body(tooManyActivities()).userMessage, 'You can pick at most 75 activities at a time.');
    assert.equal(
      body(tooManyActivities('transfer')).userMessage,
      'You can transfer at most 75 activities at a time.',
    );
    assert.equal(
      body(tooManyActivities('complete')).userMessage,
      'You can complete at most 75 activities at a time.',
    );
    assert.equal(tooManyActivities('complete').code, '400-104');
    // Create has no variant of 400-104: the code's own message answers.
    assert.equal(
      body(tooManyActivities('create')).userMessage,
      'You can pick at most 75 activities at a time.',
    );
  });

  it('a variant whose parameters are not all passed is not used: the code’s own message answers', () => {
    const withoutDepartment = new ApiError('403-179', { ids: ['6001'] }, [], {}, 'create');
    assert.equal(withoutDepartment.messageKey, '403-179');
    assert.equal(
      body(withoutDepartment).developerMessage,
      "The following activities belong to departments the user cannot access: '6001'.",
    );
    const withDepartment = new ApiError('403-179', { department: 'Sales' }, [], {}, 'create');
    assert.equal(withDepartment.messageKey, '403-179#create');
  });
});
