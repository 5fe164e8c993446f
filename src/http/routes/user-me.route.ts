// GET /core/casemgr/v3/user/me (ours: eGain has no such endpoint) — who the caller is, and the queues
// and colleagues they may pull from, so that a client (the console) can offer them. Users only, with
// the rules of reading activities: the scope, then View Agent Console.
import type { FastifyInstance } from 'fastify';
import { checkReader } from '../../domain/read-rules.js';
import type { Profile } from '../../store/profile-store.js';
import type { UserFacts } from '../../domain/caller.js';
import { ApiError, toApiError } from '../error-catalog.js';
import { XML_TYPE } from '../representation.js';
import { ErrorBodySchema, NoQuery } from '../schemas/common.schema.js';
import { UserMe } from '../schemas/user.schema.js';
import { toUserMeJson, toUserMeXml } from '../user-representation.js';

export interface ProfileReader {
  findProfile(facts: UserFacts): Promise<Profile | undefined>;
}

export const USER_ME_PATH = '/core/casemgr/v3/user/me';

export function registerUserMeRoute(app: FastifyInstance, deps: { reader: ProfileReader }): void {
  app.get<{ Querystring: Record<string, never> }>(
    USER_ME_PATH,
    {
      schema: {
        operationId: 'getCurrentUser',
        summary: 'Get the calling user, with the queues and colleagues they may pull from (ours)',
        querystring: NoQuery,
        response: { 200: UserMe, '4xx': ErrorBodySchema },
      },
      config: { api: { query: NoQuery, takesBody: false } },
    },
    async (request, reply) => {
      const caller = request.caller!;
      const refused = checkReader(caller);
      if (refused) throw toApiError(refused);
      const profile = await deps.reader.findProfile(caller);
      // Removed between the token check and this read: as any token of a user that does not exist.
      if (!profile) throw new ApiError('401-101');
      if (request.media === 'xml') return reply.type(XML_TYPE).send(toUserMeXml(profile));
      return reply.send(toUserMeJson(profile));
    },
  );
}
