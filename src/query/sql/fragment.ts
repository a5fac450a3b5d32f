/**
 * SQL text built from trusted pieces with the bound values kept apart. Placeholders are numbered
 * `$1, $2, …` in textual order only when a statement is rendered, so fragments compose freely.
 * Both dialects get `$n`: the stores' drivers take PostgreSQL-style placeholders and the SQLite
 * driver rewrites them to `?` (numbering in textual order keeps that a plain substitution).
 */
class Param {
  constructor(readonly value: unknown) {}
}

type Part = string | Param;

export class Sql {
  constructor(readonly parts: readonly Part[]) {}
}

/** A tagged template: interpolations must be Sql fragments (use `bind` for values, `raw` for trusted text). */
export function sql(strings: TemplateStringsArray, ...values: Sql[]): Sql {
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    parts.push(text);
    if (i < values.length) parts.push(...values[i].parts);
  });
  return new Sql(parts);
}

export const bind = (value: unknown): Sql => new Sql([new Param(value)]);

/** Text the compiler itself writes (keywords, quoted identifiers, its own numeric constants). */
export const raw = (text: string): Sql => new Sql([text]);

export function join(fragments: readonly Sql[], separator: string): Sql {
  return new Sql(fragments.flatMap((fragment, i) => (i === 0 ? fragment.parts : [separator, ...fragment.parts])));
}

/**
 * Caller-written SQL with its own `$1…$k` placeholders (a source's extra condition) as a fragment,
 * so its parameters are renumbered with the rest.
 */
export function external(text: string, params: readonly unknown[]): Sql {
  return new Sql(
    text.split(/(\$\d+)/).map((piece) => {
      const match = /^\$(\d+)$/.exec(piece);
      if (!match) return piece;
      const index = Number(match[1]) - 1;
      if (index < 0 || index >= params.length) throw new RangeError(`extraWhere uses ${piece} but has ${params.length} parameters`);
      return new Param(params[index]);
    }),
  );
}

export function render(fragment: Sql): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const text = fragment.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      params.push(part.value);
      return `$${params.length}`;
    })
    .join('');
  return { sql: text, params };
}

export const quoteIdentifier = (name: string): Sql => raw(`"${name.replace(/"/g, '""')}"`);
