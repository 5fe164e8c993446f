// The HTTP ceiling: a bare Fastify 5 server in its own process with the service's routes' schemas
// and Ajv options, and nothing else — no token, no database, no error catalogue, no logger.
//   PATCH /core/casemgr/v3/activity/pick   body PickBody, query PickQuery, always 204
//   GET   /core/casemgr/v3/activity/:ids   canned activities of the requested ids, serialized with the
//                                         service's response schema (ActivityList)
// Run by service-process.ts as `node --import tsx bench/ceiling-http-server.ts` with PORT set.
import Fastify from 'fastify';
import type { ActivityJsonType } from '../src/http/schemas/activity.schema.js';
import { ActivityIdsParams, ActivityList } from '../src/http/schemas/activity.schema.js';
import { PickBody, PickQuery } from '../src/http/schemas/pick.schema.js';
import { API_SERVER_OPTIONS } from '../src/http/server-options.js';

const server = Fastify({ ...API_SERVER_OPTIONS, logger: false });

server.get('/ready', async () => ({ status: 'ready' }));

server.patch(
  '/core/casemgr/v3/activity/pick',
  { schema: { querystring: PickQuery, body: PickBody, response: { 204: { type: 'null' } } } },
  async (_request, reply) => reply.code(204).send(),
);

// A typical awaiting email, as the service renders one (same fields, similar sizes).
const canned = (id: string): ActivityJsonType => ({
  id,
  type: {
    value: 'email',
    displayValue: 'Email',
    subtype: { value: 'general', displayValue: 'General' },
  },
  mode: 'inbound',
  department: { id: '999', name: 'Service' },
  queue: { id: '10', name: 'Billing' },
  status: {
    value: 'awaiting_assignment',
    displayValue: 'In queue waiting to be assigned',
    substatus: { value: 'ready_for_assignment', displayValue: 'Ready for assignment' },
  },
  subject: 'Invoice 48213 is wrong',
  priority: '3',
  created: '2026-10-31T09:12:44.117Z',
  lastModified: '2026-10-31T10:02:03.551Z',
  link: [{ rel: 'self', href: `/core/casemgr/v3/activity/${id}` }],
});

server.get<{ Params: { ids: string } }>(
  '/core/casemgr/v3/activity/:ids',
  { schema: { params: ActivityIdsParams, response: { 200: ActivityList } } },
  async (request) => ({ activity: request.params.ids.split(',').map(canned) }),
);

const port = Number(process.env.PORT ?? '0');
await server.listen({ port, host: '127.0.0.1' });
const stop = () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Orphaned (the bench died without stopping us): leave too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();
