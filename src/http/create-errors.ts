// The intake rules' failures as eGain error answers (the codes of docs/api/create-task.md and
// docs/api/receive-email.md). Domain failures carry no HTTP; this is their one mapping.
import { ACTION_CREATE } from '../domain/caller.js';
import type { CreateFailure } from '../domain/create-activity-rules.js';
import { ApiError, attributeError } from './error-catalog.js';

export function createFailureToApiError(failure: CreateFailure): ApiError {
  switch (failure.kind) {
    case 'MissingScope':
      return new ApiError('403-197');
    case 'ActionNotAllowed':
      return new ApiError('403-178', { action: ACTION_CREATE }, [{ key: 'action', value: ACTION_CREATE }]);
    case 'MissingAttribute':
      return attributeError('400-146', failure.attribute);
    case 'InvalidAttribute':
      return attributeError('400-152', failure.attribute);
    case 'OutsideDepartments':
      // Pick's 403-179 lists activities; create's variant names the department of the body.
      return new ApiError(
        '403-179',
        { department: failure.department },
        [{ key: 'department', value: failure.department }],
        {},
        'create',
      );
    case 'LicenseMissing':
      // Pick's 403-180 lists activities; create's variant names the calling user, who holds no license.
      return new ApiError(
        '403-180',
        { userId: failure.userId },
        [{ key: 'userId', value: failure.userId }],
        {},
        'create',
      );
    case 'NoTransferPermission':
      return new ApiError('403-183', { userId: failure.userId }, [{ key: 'userId', value: failure.userId }]);
  }
}
