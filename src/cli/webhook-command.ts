// `casemgr webhook add|list|remove|redeliver`: webhook subscriptions, straight on the database (the
// service need not run; every instance's deliverer picks a change up at its next claim).
import type { ServiceConfig } from '../config.js';
import { openDatabase } from '../store/database.js';
import { createTransactional } from '../store/transaction.js';
import { WebhookStore, type WebhookSubscription } from '../store/webhook-store.js';
import { isValidSecret, newSecret } from '../webhooks/envelope.js';
import { webhookUrlProblem, WEBHOOK_EVENT_TYPES } from '../webhooks/event-types.js';
import { ConfigError } from '../config.js';
import { UnknownSubscription } from './command-errors.js';

export type WebhookAction =
  | {
      readonly kind: 'add';
      readonly url: string;
      readonly events: string | undefined;
      readonly secret: string | undefined;
      readonly inactive: boolean;
    }
  | { readonly kind: 'list' }
  | { readonly kind: 'remove'; readonly id: string }
  | { readonly kind: 'redeliver'; readonly id: string | undefined };

/** Judged before the database is opened: a typo never creates a database file. */
export function checkAdd(url: string, events: string | undefined, secret: string | undefined): string[] {
  const problem = webhookUrlProblem(url);
  if (problem !== undefined) throw new ConfigError(`URL "${url}" ${problem}`);
  const types = events === undefined ? [...WEBHOOK_EVENT_TYPES] : events.split(',').map((t) => t.trim());
  const unknown = types.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (types.length === 0 || unknown.length > 0 || new Set(types).size !== types.length) {
    throw new ConfigError(
      `--events must list distinct types among ${WEBHOOK_EVENT_TYPES.join(', ')}, got "${events ?? ''}"`,
    );
  }
  if (secret !== undefined && !isValidSecret(secret)) {
    throw new ConfigError('--secret must be whsec_ followed by the base64 of 24 to 64 bytes');
  }
  return types;
}

function line(s: WebhookSubscription): string {
  const state = s.active ? 'active' : 'inactive';
  return `${s.id}  ${state}  ${s.eventTypes.join(',')}  pending=${s.pending} dead=${s.dead}  ${s.url}`;
}

export async function runWebhook(config: ServiceConfig, action: WebhookAction): Promise<string> {
  const types = action.kind === 'add' ? checkAdd(action.url, action.events, action.secret) : [];
  const database = await openDatabase(config.database, config.pool);
  try {
    const store = new WebhookStore(
      database.db,
      database.dialect,
      createTransactional(database.db, database.dialect),
    );
    switch (action.kind) {
      case 'add': {
        const secret = action.secret ?? newSecret();
        const id = await store.add(
          { url: action.url, eventTypes: types, secret, active: !action.inactive },
          Date.now(),
        );
        // The secret is shown once: the receiver needs it to verify signatures; list never prints it.
        return `${id}\nsecret ${secret}\n`;
      }
      case 'list': {
        const all = await store.list();
        return all.length === 0 ? 'no webhook subscriptions\n' : all.map(line).join('\n') + '\n';
      }
      case 'remove': {
        if (!(await store.remove(action.id)))
          throw new UnknownSubscription(`no webhook subscription "${action.id}"`);
        return `removed ${action.id}\n`;
      }
      case 'redeliver': {
        if (action.id !== undefined && !(await store.exists(action.id))) {
          throw new UnknownSubscription(`no webhook subscription "${action.id}"`);
        }
        const count = await store.redeliver(action.id, Date.now());
        return `${count} dead letter${count === 1 ? '' : 's'} queued for delivery again\n`;
      }
    }
  } finally {
    await database.close();
  }
}
