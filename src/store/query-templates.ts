// Builds a hot-path query with Kysely once per shape and reuses its compiled SQL with new values.
// Building and compiling through Kysely's query builder was a fifth of the service's CPU time on the
// pick path (bench/RESULTS.md); the SQL stays written with the builder, reviewed in one place, and
// dialect-correct, because the template is compiled by the dialect that runs it.
import { CompiledQuery, type Compilable } from 'kysely';

const MARK = '\u0000casemgr-parameter-';

/** A value to put where a parameter goes when building the template: `slot(i)` stands for values[i]. */
export type Slot = (index: number) => never;

type Parameter = { readonly slot: number } | { readonly constant: unknown };

interface Template {
  readonly sql: string;
  readonly parameters: readonly Parameter[];
}

export class QueryTemplates {
  private readonly templates = new Map<string, Template>();

  /**
   * `shape` names the query and everything that changes its SQL (e.g. the number of ids); `build`
   * must put `slot(i)` exactly where values[i] belongs and nothing else that varies.
   */
  query<R>(
    shape: string,
    build: (slot: Slot) => Compilable<R>,
    values: readonly unknown[],
  ): CompiledQuery<R> {
    let template = this.templates.get(shape);
    if (!template) {
      template = compileTemplate(build);
      this.templates.set(shape, template);
    }
    const parameters = template.parameters.map((p) => ('slot' in p ? values[p.slot] : p.constant));
    return CompiledQuery.raw(template.sql, parameters);
  }
}

function compileTemplate<R>(build: (slot: Slot) => Compilable<R>): Template {
  const slot = ((index: number) => `${MARK}${index}`) as unknown as Slot;
  const compiled = build(slot).compile();
  return {
    sql: compiled.sql,
    parameters: compiled.parameters.map((value) =>
      typeof value === 'string' && value.startsWith(MARK)
        ? { slot: Number(value.slice(MARK.length)) }
        : { constant: value },
    ),
  };
}
