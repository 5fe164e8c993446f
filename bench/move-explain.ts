// `--moves --explain`: the PostgreSQL plan of every statement of a scenario's template, with the
// values of one real work item, run with EXPLAIN (ANALYZE, BUFFERS) inside a transaction that is
// rolled back — so the plans are those of the seeded store and nothing changes.
import pg from 'pg';
import {
  bindSlots,
  isBegin,
  isEnd,
  nextLastModified,
  takeOffer,
  type MoveBinding,
  type MoveTemplate,
} from './move-templates.js';

const compact = (sql: string) => (sql.length > 300 ? `${sql.slice(0, 300)}… (${sql.length} chars)` : sql);

export async function explainTemplate(
  url: string,
  template: MoveTemplate,
  binding: MoveBinding,
): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const lines: string[] = [];
  let lastModified: number | undefined;
  const now = () => (lastModified ??= nextLastModified(binding.previous));
  const uuids: string[] = [];
  try {
    await client.query('begin');
    for (const statement of template.statements) {
      if (isBegin(statement.sql) || isEnd(statement.sql)) continue;
      const params = bindSlots(statement.slots, binding, now, uuids);
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, buffers, costs off) ${statement.sql}`,
        params,
      );
      // Which values are the work item's (the rest are as recorded): a check of the template.
      const slots = statement.slots.map((slot) =>
        slot.kind === 'const' ? 'c' : 'index' in slot ? `${slot.kind}${slot.index}` : slot.kind,
      );
      lines.push(
        `-- ${compact(statement.sql)}`,
        `-- slots: ${compact(slots.join(' '))}`,
        ...plan.rows.map((r) => r['QUERY PLAN']),
        '',
      );
      // The offer's rows (pull) are the binding of what follows; the row is ours already, so the
      // same statement returns it again.
      if (statement.offers) takeOffer((await client.query(statement.sql, params)).rows, binding);
    }
  } finally {
    await client.query('rollback').catch(() => undefined);
    await client.end();
  }
  return lines;
}
