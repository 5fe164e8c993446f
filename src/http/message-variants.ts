// Message variants: one eGain code answered by several operations keeps its code and HTTP status
// (clients key on codes) but may be worded for the operation that answers it. A variant lives in
// every locale catalog under "code#variant" next to the code's own message, which is pick's wording
// and the fallback for every operation without a variant of that code.
import type { ErrorCode } from './error-catalog.js';

/** The operations that may word a shared code their own way; pick uses the codes' own messages. */
export type MessageVariant = 'create' | 'transfer' | 'complete';
/** The operations whose refusals are rule failures over activities (toApiError); create has its own mapping. */
export type ActivityOperation = Extract<MessageVariant, 'transfer' | 'complete'>;

/**
 * Every variant, with the parameters its operation passes: a variant's placeholders are a subset of
 * these in every locale (test/catalog.test.ts), so no message renders an empty slot.
 */
export const MESSAGE_VARIANTS = {
  // Create a task / receive an email: the department named in the body, the calling user.
  '403-179#create': ['department'],
  '403-180#create': ['userId'],
  '413-100#create': ['max'],
  // Transfer (to a user, a queue or a department).
  '400-104#transfer': ['max'],
  '400-301#transfer': ['ids'],
  '400-302#transfer': ['ids'],
  '400-304#transfer': ['ids'],
  '400-305#transfer': ['ids'],
  '403-180#transfer': ['ids'],
  '413-100#transfer': ['max'],
  // Complete.
  '400-104#complete': ['max'],
  '400-301#complete': ['ids'],
  '400-302#complete': ['ids'],
  '403-180#complete': ['ids'],
  '413-100#complete': ['max'],
} as const satisfies Partial<Record<`${ErrorCode}#${MessageVariant}`, readonly string[]>>;

export type VariantKey = keyof typeof MESSAGE_VARIANTS;

export const isVariantKey = (key: string): key is VariantKey => Object.hasOwn(MESSAGE_VARIANTS, key);

/**
 * The catalog key of a code's message for an operation: its variant when there is one and the
 * parameters cover what the variant declares (so a variant never renders with an empty slot), else
 * the code's own.
 */
export function messageKey(
  code: ErrorCode,
  variant: MessageVariant | undefined,
  params: Readonly<Record<string, unknown>>,
): ErrorCode | VariantKey {
  if (variant === undefined) return code;
  const key = `${code}#${variant}`;
  return isVariantKey(key) && MESSAGE_VARIANTS[key].every((name) => Object.hasOwn(params, name)) ? key : code;
}
