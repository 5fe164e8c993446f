// POST /core/casemgr/v3/activity/task — a user or a client application (a CRM) creates a task:
// 201 with Location, no body. The rules and their order: docs/api/create-task.md.
import type { FastifyInstance } from 'fastify';
import {
  CONTACT_ATTRIBUTES,
  TASK_FACT_RULES,
  TASK_REQUEST_RULES,
  firstFailure,
  writerOf,
  planTask,
  type AssigneeRef,
  type TaskRequest,
} from '../../domain/create-activity-rules.js';
import type { Clock } from '../../domain/pick-activities.js';
import type { IntakeStore } from '../../store/intake-store.js';
import { screenCreateBody } from '../create-body-screen.js';
import { createFailureToApiError } from '../create-errors.js';
import { actorOf, customerInputOf } from '../create-request.js';
import { ApiError } from '../error-catalog.js';
import { ErrorBodySchema } from '../schemas/common.schema.js';
import {
  CreateTaskBody,
  CreateTaskQuery,
  type CreateTaskBodyType,
  type CreateTaskQueryType,
} from '../schemas/create.schema.js';

export interface CreateRouteDeps {
  readonly store: IntakeStore;
  readonly clock: Clock;
}

export const ACTIVITY_LOCATION = '/core/casemgr/v3/activity/';

function assigneeOf(body: CreateTaskBodyType): { ref: AssigneeRef | undefined; conflict: boolean } {
  const user = body.status?.assigned.user;
  if (user?.id !== undefined && user.loginId !== undefined) return { ref: undefined, conflict: true };
  if (user?.id !== undefined)
    return { ref: { attribute: 'status.assigned.user.id', value: user.id }, conflict: false };
  if (user?.loginId !== undefined) {
    return { ref: { attribute: 'status.assigned.user.loginId', value: user.loginId }, conflict: false };
  }
  return { ref: undefined, conflict: false };
}

function taskRequestOf(body: CreateTaskBodyType, query: CreateTaskQueryType): TaskRequest {
  const assignee = assigneeOf(body);
  const search = CONTACT_ATTRIBUTES[query.searchContactOnAttribute as keyof typeof CONTACT_ATTRIBUTES];
  const contactOf = query.activityContact as keyof typeof CONTACT_ATTRIBUTES | undefined;
  return {
    departmentName: body.department.name,
    typeValue: body.type.value,
    subtypeValue: body.type.subtype.value,
    subject: body.subject,
    content: body.payload?.task.content,
    caseId: body.case?.id,
    customer: customerInputOf(body.customer),
    search,
    activityContact: contactOf === undefined ? undefined : CONTACT_ATTRIBUTES[contactOf],
    createCustomer: query.createCustomer !== undefined,
    priority: body.priority,
    dueDateMs: body.dueDate === undefined ? undefined : Date.parse(body.dueDate),
    assigneeConflict: assignee.conflict,
    assignee: assignee.ref,
  };
}

export function registerCreateTaskRoute(app: FastifyInstance, deps: CreateRouteDeps): void {
  app.post<{ Body: CreateTaskBodyType; Querystring: CreateTaskQueryType }>(
    '/core/casemgr/v3/activity/task',
    {
      schema: {
        operationId: 'createTaskActivity',
        summary: 'Create a task',
        querystring: CreateTaskQuery,
        body: CreateTaskBody,
        response: {
          201: { type: 'null', description: 'Created; the Location header names the new activity.' },
          '4xx': ErrorBodySchema,
        },
      },
      config: { api: { query: CreateTaskQuery, takesBody: true, clients: true, wording: 'create' } },
      // After the gate's 400-101/400-102: the required parameter (400-112), then the body's
      // presence (400-264) and the answers whose cost would grow with the body (create-body-screen.ts).
      preValidation: async (request) => {
        if (request.query.searchContactOnAttribute === undefined) {
          throw new ApiError('400-112', { names: ['searchContactOnAttribute'] }, [
            { key: 'parameter', value: 'searchContactOnAttribute' },
          ]);
        }
        if (request.body === undefined) throw new ApiError('400-264');
        const screened = screenCreateBody(request.body, CreateTaskBody);
        if (screened) throw screened;
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const task = taskRequestOf(request.body, request.query);
      const nowMs = deps.clock.nowMs();
      const refused = firstFailure(TASK_REQUEST_RULES, { actor, request: task, nowMs });
      if (refused) throw createFailureToApiError(refused);
      const outcome = await deps.store.create(
        {
          departmentName: task.departmentName,
          taskSubtype: task.subtypeValue,
          caseId: task.caseId,
          assignee: task.assignee,
          callerUserId: actor.kind === 'user' ? actor.caller.userId : undefined,
          contact: task.customer.contacts.find((c) => c.kind === task.search)!,
          by: writerOf(actor),
          aliasAddress: undefined,
        },
        (facts, ids) => {
          const failure = firstFailure(TASK_FACT_RULES, { actor, request: task, facts });
          return failure
            ? { ok: false, failure }
            : { ok: true, plan: planTask(actor, task, facts, ids, nowMs) };
        },
      );
      if (!outcome.ok) throw createFailureToApiError(outcome.failure);
      return reply.code(201).header('location', `${ACTIVITY_LOCATION}${outcome.activityId}`).send();
    },
  );
}
