// GET /core/casemgr/v3/activity: the query parameters each kind of caller may send, and the answer.
// A property without `enum` takes any single value (src/http/query-rules.ts); the search request
// (src/domain/search-request.ts) judges it.
import { Type, type TProperties } from '@sinclair/typebox';
import { SEARCH_ORDERS, SEARCH_SORTS } from '../../domain/search-criteria.js';
import { ActivityJson } from './activity.schema.js';

const free = (description: string) => Type.Optional(Type.String({ description }));
const oneOf = (values: readonly string[], description: string) =>
  Type.Optional(Type.String({ enum: [...values], description }));

const range = 'A range `[start,end]` of RFC 3339 instants, both ends inclusive, one end optional.';

/** Paging, sorting and the optional groups: the same for users and client applications. */
const COMMON: TProperties = {
  $pagenum: free('Page number, 1 or more (default 1).'),
  $pagesize: free('Page size, 1 to 75 (default 25).'),
  $rangestart: free('First match to return, 1 or more (default 1).'),
  $rangesize: free('Number of matches to return, 1 to 75 (default 25).'),
  $sort: oneOf(SEARCH_SORTS, 'Sort key (default id).'),
  $order: oneOf(SEARCH_ORDERS, 'asc (default) or desc; only with $sort.'),
  $attribute: free('`all`, or a comma list of created, createdBy, payload, lastDepartment, userLastWorked.'),
};

const SHARED_FILTERS: TProperties = {
  caseID: free('Activities of this case.'),
  status: free('`status` or `status:substatus`; `open` means not completed.'),
  type: free('Activity type; needs at least one other filter.'),
  mode: oneOf(['inbound', 'outbound', 'none'], 'Activity mode.'),
  created: free(`Creation time. ${range}`),
  createdDate: free('Same as `created`.'),
  lastModified: free(`Last modification time. ${range}`),
  lastModifiedDate: free('Same as `lastModified`.'),
};

export const UserSearchQuery = Type.Object(
  {
    ...SHARED_FILTERS,
    queueID: free('Activities of this queue.'),
    assignedTo: free('Activities assigned to this user id.'),
    assignedUserName: free('Activities assigned to the user with this login name.'),
    customerID: free('Activities of this customer.'),
    ...COMMON,
  },
  { additionalProperties: false },
);

export const ClientSearchQuery = Type.Object(
  {
    ...SHARED_FILTERS,
    department: free('Department name (client applications only).'),
    ...COMMON,
  },
  { additionalProperties: false },
);

/** What OpenAPI shows: every parameter some caller may send. */
export const AnySearchQuery = Type.Object(
  { ...UserSearchQuery.properties, ...ClientSearchQuery.properties },
  { additionalProperties: false },
);

const Link = Type.Object({ rel: Type.String(), href: Type.String() });

export const SearchAnswer = Type.Object({
  activity: Type.Array(ActivityJson),
  paginationInfo: Type.Optional(
    Type.Object({
      count: Type.Integer(),
      pagenum: Type.Integer(),
      pagesize: Type.Integer(),
      link: Type.Optional(Type.Array(Link)),
    }),
  ),
});

/** `$attribute` on GET /activity/{ids}. */
export const ReadQuery = Type.Object({ $attribute: COMMON.$attribute }, { additionalProperties: false });
