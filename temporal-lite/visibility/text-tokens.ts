// Words of Text attributes. Temporal's SQLite visibility indexes Text with FTS5's unicode61
// tokenizer (case-folded, diacritics removed, split on anything but letters and digits);
// this is the same idea without FTS, so both stored text and query text go through it.

const WORD = /[\p{L}\p{N}\p{Co}]+/gu;
const MARKS = /\p{M}/gu;

/** Distinct words of a text, lower-cased and without diacritics. */
export function textTokens(text: string): string[] {
  const folded = text.normalize('NFKD').replace(MARKS, '').toLowerCase();
  return [...new Set(folded.match(WORD) ?? [])];
}
