/** Helpers for JSON documents parsed from untrusted input (twins, bodies). */

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads an own property only: keys such as `__proto__` or `constructor` are ordinary twin keys. */
export const ownValue = (object: JsonObject, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);

/**
 * Assigns an own property without invoking setters (a `__proto__` key must not change the prototype).
 * `__proto__` is the only accessor on Object.prototype and its data properties are all writable, so
 * any other key of a plain object is assigned as an own property by plain assignment (the fast path).
 */
export function setOwn(object: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Parses a JSON column: SQLite hands back text, PostgreSQL's driver has already parsed jsonb. */
export const decodeJsonColumn = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/**
 * Deepest nesting of arrays and objects the hub takes from clients and devices: the default limit of
 * common JSON readers (.NET's System.Text.Json and Json.NET), far beyond any IoT Hub document (twins
 * nest 10 object levels), and low enough that code walking a document recursively cannot overflow.
 */
export const MAX_JSON_DEPTH = 64;

/** U+0000 and unpaired surrogates: no UTF-8 text holds them, and PostgreSQL's jsonb refuses them. */
const NOT_TEXT = /[\u0000\p{Surrogate}]/u;

/**
 * Why a JSON value cannot be kept as it is: it nests arrays and objects deeper than `maxDepth`
 * (a primitive is level 0), or a string or key in it is not text a store can hold. Walks with an
 * explicit stack: checking must not itself overflow on the input it is guarding against.
 */
export function unstorableJson(value: unknown, maxDepth = MAX_JSON_DEPTH): 'too deep' | 'not text' | undefined {
  let problem: 'not text' | undefined;
  const pending: Array<[node: unknown, depth: number]> = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (typeof node === 'string') {
      if (NOT_TEXT.test(node)) problem = 'not text';
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return 'too deep';
    if (!Array.isArray(node) && Object.keys(node).some((key) => NOT_TEXT.test(key))) problem = 'not text';
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push([child, depth + 1]);
  }
  return problem;
}
