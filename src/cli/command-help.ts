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

Run \`casemgr <command> --help\` for a command's options.`;

export const SERVE_HELP = `Usage: casemgr serve [--demo] [options]

Starts the API (PATCH /core/casemgr/v3/activity/pick, GET /core/casemgr/v3/activity/{ids},
/health/live, /health/ready, /metrics, /core/casemgr/v3/openapi.json). Migrations run on start.
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

export const USER_PASSWORD_HELP = `Usage: casemgr user password LOGIN [options]

Sets the console sign-in password of the user with that login name. The password is read from
standard input (its first line, e.g. \`printf '%s\\n' "$PASSWORD" | casemgr user password bob\`) or,
on a terminal, typed twice without echo. It must have at least 8 characters; only its scrypt hash is
stored, with its salt and parameters.`;
