// Ids are never handed out twice: several service instances on one database (3 on PostgreSQL; 2 on
// one SQLite file, each with its own connection) create tasks and emails at once, and every answer is
// a 201 whose Location names an id no other answer names, with exactly as many new activities stored.
// The same race on one unknown sender ends with one customer holding that address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { EMAIL_PATH, TASK_PATH, createdId, post, rowCounts } from './support/intake-requests.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const PER_INSTANCE = 40;

function taskFor(address: string, assignee: string) {
  return {
    department: { name: 'Service' },
    type: { value: 'task', subtype: { value: 'general' } },
    subject: `Call ${address}`,
    customer: { contacts: { contact: [{ email: [{ emailAddress: address }] }] } },
    status: { assigned: { user: { id: assignee } } },
  };
}

function emailFrom(address: string) {
  return {
    department: { name: 'Service' },
    type: { value: 'email', subtype: { value: 'general' } },
    subject: 'Hello',
    payload: { email: { emailAddresses: { from: address, receiver: 'billing@example.com' } } },
  };
}

for (const dialect of dialects) {
  const count = dialect === 'postgres' ? 3 : 2;
  describe(`id allocation across ${count} instances on one ${dialect} database`, () => {
    let database: TestDatabase;
    const instances: TestService[] = [];
    before(async () => {
      database = await createTestDatabase(dialect);
      for (let i = 0; i < count; i++) {
        instances.push(await startTestService(dialect, { shared: { database, seeded: i > 0 } }));
      }
    });
    after(async () => {
      for (const instance of instances) await instance.close();
      await database.drop();
    });

    it('concurrent creates get distinct ids, and the count of stored activities matches', async () => {
      const before = await rowCounts(instances[0]);
      const responses = await Promise.all(
        instances.flatMap((instance, i) =>
          Array.from({ length: PER_INSTANCE }, (_, n) => {
            // New senders and new customers too, so that customer and case ids race as well.
            const address = `race-${i}-${n}@example.net`;
            return n % 2 === 0
              ? post(instance, TASK_PATH, {
                  as: { client: `crm-${i}` },
                  query: '?searchContactOnAttribute=email.emailAddress&createCustomer=yes',
                  body: taskFor(address, '1002'),
                })
              : post(instance, EMAIL_PATH, { as: { client: `gateway-${i}` }, body: emailFrom(address) });
          }),
        ),
      );
      const ids = responses.map(createdId);
      assert.equal(new Set(ids).size, ids.length, 'an id was handed out twice');
      const after = await rowCounts(instances[0]);
      assert.equal(after.activities, before.activities + ids.length);
      assert.equal(after.customers, before.customers + ids.length);
      assert.equal(after.cases, before.cases + ids.length);
      const stored = await instances[0].database.db
        .selectFrom('activities')
        .select('id')
        .where('id', 'in', ids)
        .execute();
      assert.equal(stored.length, ids.length);
    });

    it('one unknown sender emailing through every instance at once becomes one customer', async () => {
      const address = 'same-stranger@example.net';
      const responses = await Promise.all(
        instances.flatMap((instance, i) =>
          Array.from({ length: 5 }, () =>
            post(instance, EMAIL_PATH, { as: { client: `gateway-${i}` }, body: emailFrom(address) }),
          ),
        ),
      );
      const ids = responses.map(createdId);
      const db = instances[0].database.db;
      const owners = await db
        .selectFrom('customer_contacts')
        .select('customer_id')
        .where('value', '=', address)
        .execute();
      assert.equal(owners.length, 1);
      const customers = await db
        .selectFrom('activities')
        .select('customer_id')
        .where('id', 'in', ids)
        .execute();
      assert.deepEqual(new Set(customers.map((c) => c.customer_id)), new Set([owners[0].customer_id]));
      // No customer without a contact point was left behind by the losers of the race.
      const orphans = await db
        .selectFrom('customers')
        .select('id')
        .where('id', 'not in', db.selectFrom('customer_contacts').select('customer_id'))
        .execute();
      assert.deepEqual(orphans, []);
    });
  });
}
