// The one catalog of eGain error codes this service answers with, and the mapping from domain rule
// failures to them. Messages live in the i18n catalogs under the same codes.
import type { RuleFailure } from '../domain/failures.js';
import { MAX_ACTIVITIES_PER_PICK } from '../domain/pick-request.js';
import type { MessageParams } from '../i18n/messages.js';
import { messageKey, type ActivityOperation, type MessageVariant } from './message-variants.js';

export const ERROR_STATUS = {
  '400-100': 400,
  '400-101': 400,
  '400-102': 400,
  '400-104': 400,
  '400-105': 400,
  '400-106': 400,
  '400-112': 400,
  '400-116': 400,
  '400-120': 400,
  '400-124': 400,
  '400-146': 400,
  '400-147': 400,
  '400-152': 400,
  '400-194': 400,
  '400-203': 400,
  '400-244': 400,
  '400-245': 400,
  '400-264': 400,
  '400-301': 400,
  '400-302': 400,
  '400-303': 400,
  '400-304': 400,
  '400-305': 400,
  '400-306': 400,
  '400-307': 400,
  '400-308': 400,
  '400-309': 400,
  '400-310': 400,
  '400-311': 400,
  '400-312': 400,
  '400-614': 400,
  '401-101': 401,
  '403-177': 403,
  '403-178': 403,
  '403-179': 403,
  '403-180': 403,
  '403-181': 403,
  '403-182': 403,
  '403-183': 403,
  '403-184': 403,
  '403-185': 403,
  '403-186': 403,
  '403-187': 403,
  '403-197': 403,
  '404-100': 404,
  '404-101': 404,
  '406-100': 406,
  '406-101': 406,
  '408-100': 408,
  '409-100': 409,
  '413-100': 413,
  '415-100': 415,
  '429-001': 429,
  '431-100': 431,
  '500-100': 500,
  '503-100': 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export interface Detail {
  readonly key: string;
  readonly value: string;
}

export const MAX_DETAILS = 30;

/**
 * An answer the API gives on purpose: an eGain code, its message parameters and details, and
 * optionally the operation whose wording of the code's message to use (src/http/message-variants.ts).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    readonly params: MessageParams = {},
    readonly details: readonly Detail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
    readonly variant?: MessageVariant,
  ) {
    super(code);
  }

  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }

  /** The catalog key of the messages: "code#variant" when it exists and its parameters are passed, else the code. */
  get messageKey(): string {
    return messageKey(this.code, this.variant, this.params);
  }
}

const idDetails = (ids: readonly string[]): Detail[] => ids.map((value) => ({ key: 'activityId', value }));

const withIdsOf = (code: ErrorCode, ids: readonly string[], variant?: MessageVariant) =>
  new ApiError(code, { ids }, idDetails(ids), {}, variant);

export const attributeError = (code: '400-146' | '400-147' | '400-152', attribute: string) =>
  new ApiError(code, { attribute }, [{ key: 'attribute', value: attribute }]);

/** 415-100 names the header at fault: the body's media type, or an encoding the service does not decode. */
export const unsupportedMediaType = (header: 'Content-Type' | 'Content-Encoding') =>
  new ApiError('415-100', { header }, [{ key: 'header', value: header }]);

/** 400-104; `operation` words it for transfer or complete (pick's wording without, or for any other). */
export const tooManyActivities = (operation?: MessageVariant) =>
  new ApiError(
    '400-104',
    { max: MAX_ACTIVITIES_PER_PICK },
    [{ key: 'max', value: String(MAX_ACTIVITIES_PER_PICK) }],
    {},
    operation,
  );

/**
 * A rule failure as its eGain answer. `operation` names the operation that refused, so a code it
 * shares with pick is worded for it (e.g. 400-302 "cannot be transferred"); without it, or for a code
 * with no variant for that operation, the code's own message answers — pick's answers never change.
 */
export function toApiError(failure: RuleFailure, operation?: ActivityOperation): ApiError {
  const withIds = (code: ErrorCode, ids: readonly string[]) => withIdsOf(code, ids, operation);
  switch (failure.kind) {
    case 'MissingScope':
      return new ApiError('403-197', {}, [], {}, operation);
    case 'ActionNotAllowed':
      return new ApiError(
        '403-178',
        { action: failure.action },
        failure.ids.length > 0 ? idDetails(failure.ids) : [{ key: 'action', value: failure.action }],
        {},
        operation,
      );
    case 'NotFound':
      return withIds('400-194', failure.ids);
    case 'OutsideDepartments':
      return withIds('403-179', failure.ids);
    case 'DraftResponse':
      return withIds('400-301', failure.ids);
    case 'TypeNotPickable':
      return withIds('400-302', failure.ids);
    case 'AlreadyAssignedToCaller':
      return withIds('400-303', failure.ids);
    case 'StatusNotPickable':
      return withIds('400-304', failure.ids);
    case 'LicenseMissing':
      return withIds('403-180', failure.ids);
    case 'NoQueuePullPermission':
      return withIds('403-181', failure.ids);
    case 'NoUserPullPermission':
      return withIds('403-182', failure.ids);
    case 'LockedByAssignee':
      return withIds('403-177', failure.ids);
    case 'PinnedWithoutUnpin':
      return withIds('400-305', failure.ids);
    case 'StaleLastModified':
      return withIds('409-100', failure.ids);
    case 'DuplicateIds':
      return withIds('400-105', failure.ids);
    case 'UnknownInPath':
      return withIds('404-100', failure.ids);
    case 'ModeNotTransferable':
      return withIds('400-306', failure.ids);
    case 'AlreadyAssignedToTarget':
      return withIds('400-307', failure.ids);
    case 'OutsideQueueDepartment':
      return withIds('400-308', failure.ids);
    case 'AlreadyInTargetQueue':
      return withIds('400-309', failure.ids);
    case 'AlreadyInTargetDepartment':
      return withIds('400-310', failure.ids);
    case 'NoTransferQueue':
      return withIds('400-311', failure.ids);
    case 'NotAssignedToCaller':
      return withIds('400-312', failure.ids);
    case 'OutsideTargetUserDepartments':
      return withIds('403-184', failure.ids);
    case 'DepartmentsNotShared':
      return withIds('403-185', failure.ids);
    case 'TargetLicenseMissing':
      return withIds('403-186', failure.ids);
    case 'NoTransferPermission': {
      // 403-183 names a user (create-task uses it too); a queue gets its own code and message.
      const { kind, id } = failure.target;
      return kind === 'user'
        ? new ApiError('403-183', { userId: id }, [{ key: 'userId', value: id }], {}, operation)
        : new ApiError('403-187', { queueId: id }, [{ key: 'queueId', value: id }], {}, operation);
    }
  }
}
