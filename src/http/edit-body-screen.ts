// Rule 4 for the operations whose body is pick's (`EditActivities`: transfer, complete): a request
// without a body is 400-264, then pick's screening of 400-104 and 400-147 before the schema runs.
import { ApiError } from './error-catalog.js';
import { screenPickBody } from './pick-body-screen.js';

export function screenEditBody(body: unknown): void {
  if (body === undefined) throw new ApiError('400-264');
  const screened = screenPickBody(body);
  if (screened) throw screened;
}

/** A body was sent (possibly empty-looking but framed): what pull refuses with 400-203. */
export function bodyWasSent(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
