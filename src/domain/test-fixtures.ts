// Builders for the domain unit tests: one pickable activity and one capable caller, which each test
// bends with overrides. (Test support only: excluded from the build.)
import type { Activity } from './activity.js';
import { ACTION_PICK, ACTION_UNPIN, ACTION_VIEW_AGENT_CONSOLE, SCOPE_MANAGE, type Caller } from './caller.js';

export const STORED_MS = Date.parse('2026-11-02T11:00:00.000Z');
export const HOME_DEPT = '999';
export const FOREIGN_DEPT = '1000';

/** An email waiting in queue 10 of the home department, last modified at STORED_MS. */
export function makeActivity(overrides: Partial<Activity> = {}): Activity {
  return {
    id: '5001',
    departmentId: HOME_DEPT,
    type: 'email',
    subtype: null,
    mode: null,
    subject: 'Where is my order?',
    priority: null,
    status: 'awaiting_assignment',
    substatus: 'ready_for_assignment',
    queueId: '10',
    assignedUserId: null,
    pinned: false,
    locked: false,
    isDraftResponse: false,
    createdMs: STORED_MS - 60_000,
    lastModifiedMs: STORED_MS,
    ...overrides,
  };
}

/** User 1001 of the home department (foreign: 1000), mail license, every action, pulls queue 10. */
export function makeCaller(overrides: Partial<Caller> = {}): Caller {
  return {
    userId: '1001',
    homeDepartmentId: HOME_DEPT,
    foreignDepartmentIds: new Set([FOREIGN_DEPT]),
    licenses: new Set(['eGain Advisor Desktop']),
    actions: new Set([ACTION_PICK, ACTION_UNPIN, ACTION_VIEW_AGENT_CONSOLE]),
    pullableQueueIds: new Set(['10']),
    pullableUserIds: new Set(),
    scopes: new Set([SCOPE_MANAGE]),
    ...overrides,
  };
}
