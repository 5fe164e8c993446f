// The webhook admin API: /core/casemgr/v3/webhook — add (POST), list (GET), remove (DELETE /{id}),
// send dead letters again (POST /{id}/redeliver). Users and client applications alike need the
// admin scope; the work of the agents' scopes (manage, read) gives no access to it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SCOPE_ADMIN } from '../../domain/caller.js';
import type { Clock } from '../../domain/pick-activities.js';
import type { WebhookStore, WebhookSubscription } from '../../store/webhook-store.js';
import { isValidSecret, newSecret } from '../../webhooks/envelope.js';
import { webhookUrlProblem } from '../../webhooks/event-types.js';
import { bodyWasSent } from '../edit-body-screen.js';
import { ApiError, attributeError } from '../error-catalog.js';
import { screenCreateBody } from '../create-body-screen.js';
import { toXml, XML_TYPE } from '../representation.js';
import { ErrorBodySchema, NoQuery } from '../schemas/common.schema.js';
import {
  CreatedWebhook,
  Redelivered,
  WebhookBody,
  WebhookIdParams,
  WebhookList,
  type WebhookBodyType,
} from '../schemas/webhook.schema.js';

export const WEBHOOK_PATH = '/core/casemgr/v3/webhook';

export interface WebhookRouteDeps {
  readonly store: WebhookStore;
  readonly clock: Clock;
}

async function requireAdmin(request: FastifyRequest): Promise<void> {
  const scopes = request.caller?.scopes ?? request.clientApp?.scopes;
  if (!scopes?.has(SCOPE_ADMIN)) throw new ApiError('403-197');
}

const unknownWebhook = (request: FastifyRequest) =>
  new ApiError('404-101', { path: request.url }, [{ key: 'path', value: request.url }]);

const link = (id: string) => [{ rel: 'self', href: `${WEBHOOK_PATH}/${id}` }];

function viewOf(subscription: WebhookSubscription) {
  return {
    id: subscription.id,
    url: subscription.url,
    eventTypes: [...subscription.eventTypes],
    active: subscription.active,
    created: new Date(subscription.createdMs).toISOString(),
    pendingDeliveries: subscription.pending,
    deadLetters: subscription.dead,
    link: link(subscription.id),
  };
}

const xmlLinks = (links: { rel: string; href: string }[]) =>
  links.map((l) => ({ '@_rel': l.rel, '@_href': l.href }));

export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const noBody = { api: { query: NoQuery, takesBody: false, clients: true } };
  const refuseBody = async (request: FastifyRequest) => {
    if (bodyWasSent(request.headers)) throw new ApiError('400-203');
  };

  app.post<{ Body: WebhookBodyType }>(
    WEBHOOK_PATH,
    {
      schema: {
        operationId: 'addWebhook',
        summary: 'Subscribe a URL to events (admin scope)',
        querystring: NoQuery,
        body: WebhookBody,
        response: { 201: CreatedWebhook, '4xx': ErrorBodySchema },
      },
      config: { api: { query: NoQuery, takesBody: true, clients: true } },
      // The scope before the body: a caller without it learns nothing about what a body should be.
      preValidation: async (request) => {
        await requireAdmin(request);
        if (request.body === undefined) throw new ApiError('400-264');
        const screened = screenCreateBody(request.body, WebhookBody);
        if (screened) throw screened;
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (webhookUrlProblem(body.url) !== undefined) throw attributeError('400-152', 'url');
      if (body.secret !== undefined && !isValidSecret(body.secret)) throw attributeError('400-152', 'secret');
      const secret = body.secret ?? newSecret();
      const active = body.active ?? true;
      const id = await deps.store.add(
        { url: body.url, eventTypes: body.eventTypes, secret, active },
        deps.clock.nowMs(),
      );
      const answer = { id, url: body.url, eventTypes: [...body.eventTypes], active, secret, link: link(id) };
      reply.code(201).header('location', `${WEBHOOK_PATH}/${id}`);
      if (request.media === 'xml') {
        const { link: links, eventTypes, ...rest } = answer;
        return reply
          .type(XML_TYPE)
          .send(toXml({ webhook: { '@_id': id, ...rest, eventType: eventTypes, link: xmlLinks(links) } }));
      }
      return reply.send(answer);
    },
  );

  app.get(
    WEBHOOK_PATH,
    {
      schema: {
        operationId: 'listWebhooks',
        summary: 'List webhook subscriptions, without their secrets (admin scope)',
        querystring: NoQuery,
        response: { 200: WebhookList, '4xx': ErrorBodySchema },
      },
      config: noBody,
      preHandler: requireAdmin,
    },
    async (request, reply) => {
      const webhook = (await deps.store.list()).map(viewOf);
      if (request.media === 'xml') {
        const items = webhook.map(({ id, link: links, eventTypes, ...rest }) => ({
          '@_id': id,
          ...rest,
          eventType: eventTypes,
          link: xmlLinks(links),
        }));
        return reply.type(XML_TYPE).send(toXml({ webhooks: { webhook: items } }));
      }
      return reply.send({ webhook });
    },
  );

  app.delete<{ Params: { id: string } }>(
    `${WEBHOOK_PATH}/:id`,
    {
      schema: {
        operationId: 'removeWebhook',
        summary: 'Remove a webhook subscription and its undelivered events (admin scope)',
        params: WebhookIdParams,
        querystring: NoQuery,
        response: { 204: { type: 'null', description: 'Removed.' }, '4xx': ErrorBodySchema },
      },
      config: noBody,
      preParsing: refuseBody,
      preHandler: requireAdmin,
    },
    async (request, reply) => {
      if (!(await deps.store.remove(request.params.id))) throw unknownWebhook(request);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string } }>(
    `${WEBHOOK_PATH}/:id/redeliver`,
    {
      schema: {
        operationId: 'redeliverWebhook',
        summary: "Send a subscription's dead letters again (admin scope)",
        params: WebhookIdParams,
        querystring: NoQuery,
        response: { 200: Redelivered, '4xx': ErrorBodySchema },
      },
      config: noBody,
      preParsing: refuseBody,
      preHandler: requireAdmin,
    },
    async (request, reply) => {
      if (!(await deps.store.exists(request.params.id))) throw unknownWebhook(request);
      const redelivered = await deps.store.redeliver(request.params.id, Date.now());
      if (request.media === 'xml')
        return reply.type(XML_TYPE).send(toXml({ redelivered: { count: redelivered } }));
      return reply.send({ redelivered });
    },
  );
}
