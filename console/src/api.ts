// The public API, as any client calls it: the bearer token, Accept-Language = the console's
// language, and X-egain-error-message so that refusals carry a message for the agent too.

export interface EgainError {
  readonly code: string;
  readonly developerMessage: string;
  readonly userMessage?: string;
  readonly details?: readonly { readonly key: string; readonly value: string }[];
}

export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly body: T | undefined }
  | { readonly ok: false; readonly status: number; readonly error: EgainError };

export interface ApiContext {
  token(): string;
  locale(): string;
  /** The token was refused (expired): sign in again. */
  unauthorized(): void;
}

export const API = '/core/casemgr/v3';

export async function call<T>(
  context: ApiContext,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${context.token()}`,
    accept: 'application/json',
    'accept-language': context.locale(),
    'x-egain-error-message': 'yes',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 401) context.unauthorized();
  const text = await response.text();
  const parsed = parseJson(text);
  if (response.ok) return { ok: true, status: response.status, body: parsed as T | undefined };
  const error = (parsed as EgainError | undefined) ?? {
    code: String(response.status),
    developerMessage: response.statusText,
  };
  return { ok: false, status: response.status, error };
}

/** The body as JSON; undefined when empty or not JSON (a proxy's error page). */
function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface Named {
  readonly id: string;
  readonly name?: string;
}

export interface Activity {
  readonly id: string;
  readonly type: { readonly value: string; readonly displayValue: string };
  readonly status: {
    readonly value: string;
    readonly displayValue: string;
    readonly substatus?: { readonly value: string; readonly displayValue: string };
    readonly assigned?: { readonly user: Named; readonly pinned: boolean; readonly locked: boolean };
  };
  readonly subject: string;
  readonly created: string;
  readonly lastModified: string;
  readonly queue?: Named;
  readonly department: Named;
  readonly case?: { readonly id: string };
  readonly customer?: { readonly id: string; readonly firstName?: string; readonly lastName?: string };
}

export interface SearchPage {
  readonly activity: readonly Activity[];
  readonly paginationInfo?: { readonly count: number; readonly pagenum: number; readonly pagesize: number };
}

export interface Me {
  readonly user: {
    readonly id: string;
    readonly loginName: string;
    readonly name: string;
    readonly pullQueues: readonly {
      readonly id: string;
      readonly name: string;
      readonly department: Named;
    }[];
    readonly pullUsers: readonly { readonly id: string; readonly loginName: string; readonly name: string }[];
  };
}
