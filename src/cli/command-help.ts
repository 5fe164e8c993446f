// Every command's usage text, in a module of its own: `casemgr <command> --help` and bad usage are
// answered without loading the command's code (the HTTP server, the database drivers).
import { SCOPE_MANAGE } from '../domain/caller.js';

export const MAIN_HELP = `Usage: casemgr <command> [options]

Commands:
  serve            start the API (add --demo to seed the demo organisation into an empty database)
  import FILE      load an organisation file
  token LOGIN      print a bearer token for a user
  user password LOGIN
                   set a user's console password (read from standard input)
  migrate          create or upgrade the database schema
  webhook          add, list, remove webhook subscriptions; redeliver dead letters

Run \`casemgr <command> --help\` for a command's options.`;

export const SERVE_HELP = `Usage: casemgr serve [--demo] [options]

Starts the API (PATCH /core/casemgr/v3/activity/pick, GET /core/casemgr/v3/activity/{ids},
/health/live, /health/ready, /metrics, /core/casemgr/v3/openapi.json). Migrations run on start.
With the embedded issuer (no AUTH_JWKS_URL) it also serves the sign-in under /oidc and the agent
console at PUBLIC_URL/console (built into dist/console by \`npm run build\`).
  --demo    import the demo organisation (demo/organisation.json) when the database has no users;
            plain \`serve\` never adds data`;

export const IMPORT_HELP = `Usage: casemgr import FILE [options]

Loads an organisation file (departments, roles, users, groups, queues, permissions, activity types,
activities; see docs/organisation-file.md). The whole file is validated first; on any problem nothing
is written and each problem is printed with its JSON path. Importing the same file again is safe.`;

export const TOKEN_HELP = `Usage: casemgr token LOGIN [--scope S] [--expires-in SECONDS] [options]
       casemgr token --client NAME [--scope S] [--expires-in SECONDS] [options]

Prints a bearer token (alone, on one line) for the user with that login name (or id), signed by the
embedded issuer whose key is kept in the database, so \`casemgr serve\` on the same database accepts it.
  --client NAME           a client application's token instead (an integration such as a CRM or a
                          mail gateway): it names no user, and only the operations that admit
                          client applications accept it
  --scope S               space-separated scopes (default: ${SCOPE_MANAGE})
  --expires-in SECONDS    lifetime (default: 3600)`;

export const MIGRATE_HELP = `Usage: casemgr migrate [options]

Creates or upgrades the database schema, prints the migrations it applied, and exits (serve, import
and token also migrate on start).`;

export const WEBHOOK_HELP = `Usage: casemgr webhook add URL [--events TYPES] [--secret whsec_…] [--inactive] [options]
       casemgr webhook list [options]
       casemgr webhook remove ID [options]
       casemgr webhook redeliver [ID] [options]

Webhook subscriptions, kept in the database: every instance of \`casemgr serve\` on it POSTs each
event of the subscribed types to the URL, signed per Standard Webhooks (webhook-id,
webhook-timestamp, webhook-signature), in order per activity, retried with backoff until
WEBHOOK_MAX_AGE_MS, then kept as a dead letter.
  add URL        subscribe URL (http or https); prints the new id and its secret (shown only here)
    --events T   comma-separated: activity_created, activity_transition, activity_completed,
                 case_closed (default: all four)
    --secret S   the signing secret (whsec_ + base64 of 24–64 bytes; default: a new random one)
    --inactive   keep it, but send it nothing until it is activated
  list           every subscription: id, state, types, pending and dead deliveries, URL (no secret)
  remove ID      delete the subscription and its undelivered events
  redeliver [ID] send the dead letters (of one subscription, or of all) again, with a fresh max age`;
export const USER_PASSWORD_HELP = `Usage: casemgr user password LOGIN [options]

Sets the console sign-in password of the user with that login name. The password is read from
standard input (its first line, e.g. \`printf '%s\\n' "$PASSWORD" | casemgr user password bob\`) or,
on a terminal, typed twice without echo. It must have at least 8 characters; only its scrypt hash is
stored, with its salt and parameters.`;
