// GET /core/casemgr/v3/user/me (ours): the caller, and whom and what they may pull from. The JSON
// response is serialized with this schema, which also keeps anything not listed here out.
import { Type } from '@sinclair/typebox';

const Named = Type.Object({ id: Type.String(), name: Type.String() });
const UserRef = Type.Object({
  id: Type.String(),
  loginName: Type.String(),
  name: Type.String({ description: 'First and last name' }),
});

export const UserMe = Type.Object({
  user: Type.Object({
    id: Type.String(),
    loginName: Type.String(),
    name: Type.String({ description: 'First and last name' }),
    department: Named,
    pullQueues: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), department: Named }), {
      description: "Queues the user may pull from ('Pull activities' on the queue), by name",
    }),
    pullUsers: Type.Array(UserRef, {
      description: "Colleagues whose activities the user may pick ('Pull activities' on the user), by name",
    }),
  }),
});
