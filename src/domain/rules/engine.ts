// The rule engine every activity operation shares. A rule is a pure function over the requested
// activities (as stored, locked, at this instant) and the operation's context; it answers the
// failure that names every offending id, or nothing. An operation is an ordered list of rules plus
// its effect: the first rule that fails decides, and only when none fails is the effect planned.
import type { Activity } from '../activity.js';
import { fail, succeed, type IdsFailureKind, type Outcome, type RuleFailure } from '../failures.js';

/** One requested item as the client sent it: the id and the lastModified the client last saw. */
export interface RequestedItem {
  readonly id: string;
  readonly lastModifiedMs: number;
}

/** One requested activity as stored now, next to the lastModified the client last saw. */
export interface Subject {
  readonly activity: Activity;
  readonly clientLastModifiedMs: number;
}

export interface Rule<C> {
  /** What the rule asks, in a few words (the operation gives it its number in the contract). */
  readonly label: string;
  readonly judge: (subjects: readonly Subject[], context: C) => RuleFailure | undefined;
}

/** What an activity that breaks a rule is called in the failure: an ids kind, or a failure built from the ids. */
export type FailureOf<C> = IdsFailureKind | ((ids: readonly string[], context: C) => RuleFailure);

/** A rule judged on each activity alone; it fails naming every breaking id, in the client's order. */
export function perActivity<C>(
  label: string,
  failure: FailureOf<C>,
  breaks: (activity: Activity, context: C, subject: Subject) => boolean,
): Rule<C> {
  return {
    label,
    judge(subjects, context) {
      const ids = subjects.filter((s) => breaks(s.activity, context, s)).map((s) => s.activity.id);
      if (ids.length === 0) return undefined;
      return typeof failure === 'string' ? { kind: failure, ids } : failure(ids, context);
    },
  };
}

/** A rule about the request as a whole (the target, the caller), judged once. */
export function wholeRequest<C>(label: string, judge: (context: C) => RuleFailure | undefined): Rule<C> {
  return { label, judge: (_subjects, context) => judge(context) };
}

/** The same rule, judged only on the activities `applies` selects (the others cannot break it). */
export function onlyWhere<C>(applies: (activity: Activity, context: C) => boolean, rule: Rule<C>): Rule<C> {
  return {
    label: rule.label,
    judge: (subjects, context) =>
      rule.judge(
        subjects.filter((s) => applies(s.activity, context)),
        context,
      ),
  };
}

/** A rule as one operation numbers it in its contract ('8', 'T6 shared', 'C2'). */
export type Step<C> = readonly [number: string, rule: Rule<C>];

/** An operation: the rules it checks on the locked rows, in the contract's order, and the effect it plans. */
export interface Operation<C, P> {
  readonly name: string;
  readonly rules: readonly Step<C>[];
  readonly effect: (subjects: readonly Subject[], context: C, nowMs: number) => P;
}

/**
 * Existence first (every operation's rule 7, 400-194), then the operation's rules in order; the
 * first that fails decides. `found` holds the stored rows among the requested ids, in any order.
 */
export function decide<C, P>(
  operation: Operation<C, P>,
  items: readonly RequestedItem[],
  found: readonly Activity[],
  context: C,
  nowMs: number,
): Outcome<P> {
  const missing = missingIds(items, found);
  if (missing.length > 0) return fail({ kind: 'NotFound', ids: missing });
  const byId = new Map(found.map((activity) => [activity.id, activity]));

  const subjects = items.map((item): Subject => ({
    activity: byId.get(item.id)!,
    clientLastModifiedMs: item.lastModifiedMs,
  }));
  for (const [, rule] of operation.rules) {
    const failure = rule.judge(subjects, context);
    if (failure) return fail(failure);
  }
  return succeed(operation.effect(subjects, context, nowMs));
}

/** Requested ids with no stored row, in the order sent (rule 7, 400-194). */
export function missingIds(items: readonly RequestedItem[], found: readonly Activity[]): string[] {
  const stored = new Set(found.map((activity) => activity.id));
  return items.filter((item) => !stored.has(item.id)).map((item) => item.id);
}

/** The labels of an operation's rules in the order they are judged, existence first. */
export const ruleOrder = (operation: Operation<never, unknown>): string[] => [
  '7',
  ...operation.rules.map(([number]) => number),
];

/** The subjects that break none of these rules, in their order (pull keeps what it may take). */
export function eligible<C>(steps: readonly Step<C>[], subjects: readonly Subject[], context: C): Subject[] {
  return subjects.filter((subject) =>
    steps.every(([, rule]) => rule.judge([subject], context) === undefined),
  );
}
