import fc from 'fast-check';

/**
 * Mutations of texts (a query, a JSON body): tokens inserted, ranges deleted, replaced or repeated,
 * odd characters (lone surrogates, controls) put in, the text cut short. Positions are taken modulo
 * the text's length, so one mutation list applies to any text and shrinks well.
 */
type TextMutation =
  | { kind: 'insert'; at: number; token: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'replace'; at: number; length: number; token: string }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'truncate'; at: number };

function mutate(text: string, change: TextMutation): string {
  const at = text.length === 0 ? 0 : change.at % (text.length + 1);
  switch (change.kind) {
    case 'insert':
      return `${text.slice(0, at)}${change.token}${text.slice(at)}`;
    case 'delete':
      return text.slice(0, at) + text.slice(at + change.length);
    case 'replace':
      return `${text.slice(0, at)}${change.token}${text.slice(at + change.length)}`;
    case 'repeat':
      return text.slice(0, at) + text.slice(at, at + change.length).repeat(change.times) + text.slice(at + change.length);
    case 'truncate':
      return text.slice(0, at);
  }
}

/** One of `tokens`, or now and then a few random code units (lone surrogates and controls included). */
export const tokenFrom = (tokens: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) });

/** `base` texts with one to four mutations, the inserted tokens drawn from `tokens` or random code units. */
export function mutatedText(base: fc.Arbitrary<string>, tokens: readonly string[]): fc.Arbitrary<string> {
  const token = tokenFrom(tokens);
  const at = fc.nat({ max: 100_000 });
  const length = fc.integer({ min: 1, max: 24 });
  const mutation: fc.Arbitrary<TextMutation> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, token }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, length }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), at, length, token }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat' as const), at, length, times: fc.integer({ min: 2, max: 40 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
  );
  return fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([text, changes]) => changes.reduce(mutate, text));
}
