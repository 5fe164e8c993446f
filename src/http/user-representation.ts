// GET /user/me's answer as JSON, or as XML in eGain's common namespace.
import type { Profile } from '../store/profile-store.js';
import { COMMON_NS, toXml } from './representation.js';

export function toUserMeJson(profile: Profile) {
  return {
    user: {
      ...profile.user,
      department: profile.department,
      pullQueues: profile.pullQueues,
      pullUsers: profile.pullUsers,
    },
  };
}

/** `<user xmlns="…/common" id="…"><loginName>…</loginName>…<pullQueues><queue id="…">…`. */
export function toUserMeXml(profile: Profile): string {
  return toXml({
    user: {
      '@_xmlns': COMMON_NS,
      '@_id': profile.user.id,
      loginName: profile.user.loginName,
      name: profile.user.name,
      department: { '@_id': profile.department.id, name: profile.department.name },
      pullQueues: {
        queue: profile.pullQueues.map((q) => ({
          '@_id': q.id,
          name: q.name,
          department: { '@_id': q.department.id, name: q.department.name },
        })),
      },
      pullUsers: {
        user: profile.pullUsers.map((u) => ({ '@_id': u.id, loginName: u.loginName, name: u.name })),
      },
    },
  });
}
