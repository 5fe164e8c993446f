// From a validated create body to the domain's request: the pieces both intake routes share.
import type { FastifyRequest } from 'fastify';
import type { Actor, ContactPoint, CustomerInput } from '../domain/create-activity-rules.js';
import type { CreateTaskBodyType } from './schemas/create.schema.js';

type CustomerElement = CreateTaskBodyType['customer'] | undefined;

/** The caller the API gate authenticated: a user, or a client application on routes that admit them. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.caller) return { kind: 'user', caller: request.caller };
  if (request.clientApp) return { kind: 'client', client: request.clientApp };
  throw new Error('the API gate let a request through without a caller');
}

/** Email addresses are matched and stored lower-cased; phone numbers as given. */
export function customerInputOf(
  customer: CustomerElement,
  extra: readonly ContactPoint[] = [],
): CustomerInput {
  const contact = customer?.contacts?.contact[0];
  const points: ContactPoint[] = [...extra];
  const add = (point: ContactPoint) => {
    if (!points.some((p) => p.kind === point.kind)) points.push(point);
  };
  for (const email of contact?.email ?? []) add({ kind: 'email', value: email.emailAddress.toLowerCase() });
  for (const phone of contact?.phone ?? []) {
    add({ kind: phone.type as ContactPoint['kind'], value: phone.phoneNumber });
  }
  return { firstName: contact?.firstName ?? '', lastName: contact?.lastName ?? '', contacts: points };
}
