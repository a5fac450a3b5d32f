import fc from 'fast-check';

const MAX_REPORT = 3000;

/** JSON of `value` with long strings, arrays and objects cut, so a counterexample's report stays readable. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'string' && item.length > 120) return `${item.slice(0, 120)}…(${item.length} chars)`;
    if (Array.isArray(item) && item.length > 12) return [...item.slice(0, 12), `…(${item.length} items)`];
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const entries = Object.entries(item);
      if (entries.length > 12) return Object.fromEntries([...entries.slice(0, 12), ['…', `${entries.length} keys`]]);
    }
    return item;
  });
  return text.length > MAX_REPORT ? `${text.slice(0, MAX_REPORT)}…(${text.length} chars)` : text;
}

/** The same cases, printed in fast-check's failure reports as shortened JSON instead of in full. */
export function shortlyReported<T extends object>(cases: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return cases.map((value) => {
    Object.defineProperty(value, fc.toStringMethod, { value: () => shortJson(value), enumerable: false });
    return value;
  });
}
