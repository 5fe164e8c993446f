// Cases for GET /case/{ids}: each case with its customer, how many activities it holds, and the
// departments of those activities (what decides who may see it). Rows become domain types here.
import type { Kysely } from 'kysely';
import type { CaseView } from '../domain/case-read-rules.js';
import type { Database } from './schema.js';

export class CaseStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The cases with these ids that exist, in no particular order. Two queries, whatever the count. */
  async findViews(ids: readonly string[]): Promise<CaseView[]> {
    if (ids.length === 0) return [];
    const cases = await this.db
      .selectFrom('cases as c')
      .leftJoin('customers as cu', 'cu.id', 'c.customer_id')
      .select(['c.id', 'c.status', 'c.customer_id', 'cu.first_name', 'cu.last_name', 'cu.department_id'])
      .where('c.id', 'in', ids)
      .execute();
    if (cases.length === 0) return [];
    // One row per (case, department): a case's activities rarely span more than one or two.
    const spread = await this.db
      .selectFrom('activities')
      .select(['case_id', 'department_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where(
        'case_id',
        'in',
        cases.map((c) => c.id),
      )
      .groupBy(['case_id', 'department_id'])
      .execute();
    const byCase = new Map<string, { count: number; departments: string[] }>();
    for (const row of spread) {
      const entry = byCase.get(row.case_id!) ?? { count: 0, departments: [] };
      entry.count += Number(row.n);
      entry.departments.push(row.department_id);
      byCase.set(row.case_id!, entry);
    }
    return cases.map((c) => {
      const activities = byCase.get(c.id);
      return {
        id: c.id,
        status: c.status === 'closed' ? 'closed' : 'open',
        customer:
          c.customer_id === null
            ? null
            : {
                id: c.customer_id,
                firstName: c.first_name ?? '',
                lastName: c.last_name ?? '',
                departmentId: c.department_id ?? null,
              },
        activityCount: activities?.count ?? 0,
        activityDepartmentIds: activities?.departments ?? [],
      };
    });
  }
}
