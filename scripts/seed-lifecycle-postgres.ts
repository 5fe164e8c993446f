// A kept PostgreSQL store of the lifecycle bench, for looking at plans by hand:
// `node --import tsx scripts/seed-lifecycle-postgres.ts NAME [ACTIVITIES]` creates database NAME next
// to `test` (BENCH_PG_URL), imports the bench organisation and seeds it as `npm run bench --
// --lifecycle` does (bench/lifecycle-seed.ts, same PRNG seed), and leaves it there. Drop it with
// `drop database NAME`.
import pg from 'pg';
import { importDocument, validateOrganisationText } from '../src/cli/import-command.js';
import { openDatabase } from '../src/store/database.js';
import { PG_ADMIN_URL } from '../bench/bench-database.js';
import { readSeedBase, seedPostgres } from '../bench/lifecycle-seed.js';
import { buildBenchOrganisation, FULL_SIZES, HOT_DEPARTMENT } from '../bench/organisation.js';

const name = process.argv[2];
const activities = Number(process.argv[3] ?? 1_000_000);
if (!name || !/^[a-z_][a-z0-9_]*$/.test(name))
  throw new Error('usage: seed-lifecycle-postgres.ts NAME [ACTIVITIES]');

const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
await admin.connect();
await admin.query(`create database ${name}`);
await admin.end();
const url = new URL(PG_ADMIN_URL);
url.pathname = `/${name}`;

const { file } = buildBenchOrganisation({ ...FULL_SIZES, activities: 1000 });
const database = await openDatabase({ dialect: 'postgres', url: url.toString() });
try {
  await importDocument(database, validateOrganisationText(JSON.stringify(file)), Date.now());
} finally {
  await database.close();
}
const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
const base = await readSeedBase(async <T>(sql: string): Promise<T[]> => {
  let n = 0;
  return (await pool.query(sql.replace(/\?/g, () => `$${++n}`))).rows as T[];
}, HOT_DEPARTMENT);
await pool.end();
const seed = await seedPostgres(url.toString(), base, activities, 1111);
console.log(`${name}: seeded ${seed.activities} activities in ${seed.seconds.toFixed(1)} s`);
