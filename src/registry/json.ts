/** Helpers for JSON documents parsed from untrusted input (twins, bodies). */

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads an own property only: keys such as `__proto__` or `constructor` are ordinary twin keys. */
export const ownValue = (object: JsonObject, key: string): unknown =>
  Object.hasOwn(object, key) ? object[key] : undefined;

/** Assigns an own property without invoking setters (a `__proto__` key must not change the prototype). */
export function setOwn(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Parses a JSON column: SQLite hands back text, PostgreSQL's driver has already parsed jsonb. */
export const decodeJsonColumn = <T>(value: unknown): T =>
  (typeof value === 'string' ? JSON.parse(value) : value) as T;

/**
 * Whether `value` nests arrays and objects more than `limit` levels deep (a primitive is level 0).
 * Walks with an explicit stack: checking must not itself overflow on the input it is guarding against.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[node: unknown, depth: number]> = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}
