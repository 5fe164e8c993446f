// The HTTP ceiling: a bare Fastify 5 server in its own process with the service's routes' schemas
// and Ajv options, and nothing else — no token, no database, no error catalogue, no logger.
//   PATCH /core/casemgr/v3/activity/pick   body PickBody, query PickQuery, always 204
//   GET   /core/casemgr/v3/activity/:ids   canned activities of the requested ids, serialized with the
//                                         service's response schema (ActivityList)
//   GET   /core/casemgr/v3/activity        a canned page of 25 (SearchAnswer), query AnySearchQuery
//   POST  /core/casemgr/v3/activity/task, …/email/general   body schema of each, 201 + Location
//   GET   /core/casemgr/v3/case/:ids       canned cases (CaseList)
// Run by service-process.ts as `node --import tsx bench/ceiling-http-server.ts` with PORT set.
import Fastify from 'fastify';
import type { ActivityJsonType } from '../src/http/schemas/activity.schema.js';
import { ActivityIdsParams, ActivityList } from '../src/http/schemas/activity.schema.js';
import { PickBody, PickQuery } from '../src/http/schemas/pick.schema.js';
import { CaseIdsParams, CaseList } from '../src/http/schemas/case.schema.js';
import {
  CreateEmailBody,
  CreateEmailQuery,
  CreateTaskBody,
  CreateTaskQuery,
} from '../src/http/schemas/create.schema.js';
import { AnySearchQuery, SearchAnswer } from '../src/http/schemas/search.schema.js';
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

// A search answers a page of 25 with its paginationInfo, as the service does for page 1.
server.get(
  '/core/casemgr/v3/activity',
  { schema: { querystring: AnySearchQuery, response: { 200: SearchAnswer } } },
  async () => ({
    activity: Array.from({ length: 25 }, (_, i) => ({
      ...canned(String(10_000_001 + i)),
      case: { id: '20000001', link: [{ rel: 'case', href: '/core/casemgr/v3/case/20000001' }] },
    })),
    paginationInfo: {
      count: 4180,
      pagenum: 1,
      pagesize: 25,
      link: [{ rel: 'next', href: '/core/casemgr/v3/activity?queueID=10&$pagenum=2&$pagesize=25' }],
    },
  }),
);

let created = 90_000_000;
for (const [path, body, querystring] of [
  ['/core/casemgr/v3/activity/task', CreateTaskBody, CreateTaskQuery],
  ['/core/casemgr/v3/activity/email/general', CreateEmailBody, CreateEmailQuery],
] as const) {
  server.post(
    path,
    { schema: { querystring, body, response: { 201: { type: 'null' } } } },
    async (_request, reply) =>
      reply.code(201).header('location', `/core/casemgr/v3/activity/${++created}`).send(),
  );
}

server.get<{ Params: { ids: string } }>(
  '/core/casemgr/v3/case/:ids',
  { schema: { params: CaseIdsParams, response: { 200: CaseList } } },
  async (request) => ({
    case: request.params.ids.split(',').map((id) => ({
      id,
      status: { value: 'open' as const, displayValue: 'Open' },
      customer: { id: '30000001', firstName: 'Ada', lastName: 'Adams' },
      activities: { count: 2 },
      link: [{ rel: 'self', href: `/core/casemgr/v3/case/${id}` }],
    })),
  }),
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
