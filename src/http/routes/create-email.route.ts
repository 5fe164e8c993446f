// POST /core/casemgr/v3/activity/email/general — a mail gateway (or a user) hands over an incoming
// email: it waits in the queue of the alias it was sent to. 201 with Location, no body. The rules and
// their order: docs/api/receive-email.md.
import type { FastifyInstance } from 'fastify';
import {
  EMAIL_FACT_RULES,
  EMAIL_REQUEST_RULES,
  firstFailure,
  writerOf,
  planEmail,
  type EmailRequest,
} from '../../domain/create-activity-rules.js';
import { screenCreateBody } from '../create-body-screen.js';
import { createFailureToApiError } from '../create-errors.js';
import { actorOf, customerInputOf } from '../create-request.js';
import { ApiError } from '../error-catalog.js';
import { ErrorBodySchema } from '../schemas/common.schema.js';
import { CreateEmailBody, CreateEmailQuery, type CreateEmailBodyType } from '../schemas/create.schema.js';
import { ACTIVITY_LOCATION, type CreateRouteDeps } from './create-task.route.js';

function emailRequestOf(body: CreateEmailBodyType): EmailRequest {
  const { emailAddresses, content } = body.payload.email;
  const from = emailAddresses.from.toLowerCase();
  return {
    departmentName: body.department.name,
    typeValue: body.type.value,
    subtypeValue: body.type.subtype.value,
    subject: body.subject,
    content,
    caseId: body.case?.id,
    // The sender's address is the customer's email contact point, whatever the element says.
    customer: customerInputOf(body.customer, [{ kind: 'email', value: from }]),
    addresses: {
      from: emailAddresses.from,
      receiver: emailAddresses.receiver,
      to: emailAddresses.to ?? [],
      cc: emailAddresses.cc ?? [],
      replyTo: emailAddresses.replyTo,
    },
  };
}

export function registerCreateEmailRoute(app: FastifyInstance, deps: CreateRouteDeps): void {
  app.post<{ Body: CreateEmailBodyType }>(
    '/core/casemgr/v3/activity/email/general',
    {
      schema: {
        operationId: 'createIncomingEmailActivity',
        summary: 'Receive an incoming email',
        querystring: CreateEmailQuery,
        body: CreateEmailBody,
        response: {
          201: { type: 'null', description: 'Created; the Location header names the new activity.' },
          '4xx': ErrorBodySchema,
        },
      },
      config: { api: { query: CreateEmailQuery, takesBody: true, clients: true, wording: 'create' } },
      preValidation: async (request) => {
        if (request.body === undefined) throw new ApiError('400-264');
        const screened = screenCreateBody(request.body, CreateEmailBody);
        if (screened) throw screened;
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const email = emailRequestOf(request.body);
      const nowMs = deps.clock.nowMs();
      const refused = firstFailure(EMAIL_REQUEST_RULES, { actor, request: email, nowMs });
      if (refused) throw createFailureToApiError(refused);
      const outcome = await deps.store.create(
        {
          departmentName: email.departmentName,
          taskSubtype: undefined,
          caseId: email.caseId,
          assignee: undefined,
          callerUserId: undefined,
          contact: { kind: 'email', value: email.addresses.from.toLowerCase() },
          by: writerOf(actor),
          aliasAddress: email.addresses.receiver,
        },
        (facts, ids) => {
          const failure = firstFailure(EMAIL_FACT_RULES, { actor, request: email, facts });
          return failure
            ? { ok: false, failure }
            : { ok: true, plan: planEmail(actor, email, facts, ids, nowMs) };
        },
      );
      if (!outcome.ok) throw createFailureToApiError(outcome.failure);
      return reply.code(201).header('location', `${ACTIVITY_LOCATION}${outcome.activityId}`).send();
    },
  );
}
