import fc from 'fast-check';
import { mutatedText } from './text-mutations.js';

/**
 * Request bodies for the REST fuzz: JSON values with the keys and values that break validators
 * (prototype keys, reserved and control characters, lone surrogates, huge and tiny numbers, long
 * strings, deep nesting, wrong types), valid-looking bodies with parts replaced, removed or added,
 * and raw texts that are not quite JSON.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An object with these own properties; `__proto__` becomes a key (as JSON.parse makes it), not the prototype. */
export function objectOf(entries: ReadonlyArray<readonly [string, Json]>): { [key: string]: Json } {
  const object: { [key: string]: Json } = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** A generated record as a JSON object (fields fast-check left out are absent). */
export const recordAsJson = (fields: { [key: string]: Json | undefined }): Json =>
  objectOf(Object.entries(fields).filter((entry): entry is [string, Json] => entry[1] !== undefined));

const nestedObject = (levels: number): Json => {
  let value: Json = 1;
  for (let i = 0; i < levels; i++) value = objectOf([['k', value]]);
  return value;
};
const nestedArray = (levels: number): Json => {
  let value: Json = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

export const WEIRD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  ' ',
  'a b',
  'a.b',
  '.',
  '$a',
  '$metadata',
  '$version',
  'a$',
  'é',
  '😀',
  '\u0000',
  '\u0007',
  '\ud800',
  '\u200b',
  '\u00a0',
  'k'.repeat(1024),
  'k'.repeat(1025),
  'null',
  '0',
  '-1',
];
const WEIRD_STRINGS = [
  '',
  ' ',
  'x'.repeat(4096),
  'x'.repeat(4097),
  'é'.repeat(2048),
  'é'.repeat(2049),
  '\u0000',
  'a\u0000b',
  'a\ud800',
  '\udfff',
  '😀',
  'e\u0301',
  '\u202e',
  '\ufeff',
  "'; DROP TABLE devices; --",
  '{"a":1}',
  'null',
  '1e999',
  '*',
  'AAAAAAAAAAE=',
  '2099-01-01T00:00:00Z',
  'enabled',
];
const WEIRD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e308,
  -1e308,
  5e-324,
  1e21,
  2 ** 31,
  2 ** 52 - 1,
  2 ** 52,
  -(2 ** 52),
  -(2 ** 52) - 1,
  2 ** 53 + 2,
  2 ** 64,
  4,
  5,
  300,
  301,
  3601,
];

const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'n', 's', 'x1') },
  { weight: 2, arbitrary: fc.constantFrom(...WEIRD_KEYS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 5 }) },
);

const primitive: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null)) },
  { weight: 2, arbitrary: fc.constantFrom<Json>(...WEIRD_STRINGS, ...WEIRD_NUMBERS) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

/** Values that are large in one dimension: depth around the twin limit and far past it, width, size. */
const extreme: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ min: 8, max: 13 }).map(nestedObject),
  // Deeper documents only as raw text (rawBodies): fast-check's own printing of a counterexample recurses.
  fc.constantFrom(64, 200).map(nestedObject),
  fc.constantFrom(64, 200).map(nestedArray),
  fc.constantFrom(1000, 20_000).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.constantFrom(600, 5000).map((n) => objectOf(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'.repeat(8)] as const))),
  fc.constantFrom(40_000, 200_000).map((n) => 'x'.repeat(n)),
);

export const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 8, arbitrary: primitive },
    { weight: 2, arbitrary: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(objectOf) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: extreme },
  ),
})).value;

/** An object of generated entries (twin tags, desired properties, method payloads), odd ones included. */
export const jsonObject = fc.array(fc.tuple(key, jsonValue), { maxLength: 5 }).map(objectOf);

/** The content a well-behaved client sends: plain keys, ordinary values, a few levels of objects. */
export const plainObject: fc.Arbitrary<{ [key: string]: Json }> = fc.letrec<{ object: { [key: string]: Json } }>((tie) => ({
  object: fc.dictionary(
    fc.constantFrom('a', 'b', 'c', 'mode', 'level', 'name', 'on'),
    fc.oneof(
      { depthSize: 'small' },
      { weight: 5, arbitrary: fc.oneof(fc.string({ maxLength: 10 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null)) },
      { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }) },
      { weight: 1, arbitrary: tie('object') },
    ),
    { maxKeys: 4 },
  ),
})).object;

/** One change to a JSON document: a node replaced, a key removed, a key added. Paths are picked modulo the nodes present. */
type JsonMutation = { kind: 'replace'; node: number; value: Json } | { kind: 'remove'; node: number } | { kind: 'add'; node: number; key: string; value: Json };

const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), node: fc.nat(), value: jsonValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), node: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), node: fc.nat(), key, value: jsonValue }) },
);

type Slot = { parent: Json[]; index: number } | { parent: { [key: string]: Json }; key: string };

/** The slots (parent and key) of every value under `root`, down to a bounded depth. */
function slotsOf(root: Json, depth = 0, into: Slot[] = []): Slot[] {
  if (depth > 12 || root === null || typeof root !== 'object') return into;
  if (Array.isArray(root)) {
    root.slice(0, 50).forEach((value, index) => {
      into.push({ parent: root, index });
      slotsOf(value, depth + 1, into);
    });
  } else {
    for (const [key, value] of Object.entries(root).slice(0, 50)) {
      into.push({ parent: root, key });
      slotsOf(value, depth + 1, into);
    }
  }
  return into;
}

const setOwn = (object: { [key: string]: Json }, key: string, value: Json) =>
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });

function applyJsonMutation(root: Json, change: JsonMutation): Json {
  const slots = slotsOf(root);
  if (change.kind === 'replace' && slots.length === 0) return change.value;
  const slot = slots[change.node % Math.max(1, slots.length)];
  if (!slot) return root;
  const current = 'index' in slot ? slot.parent[slot.index] : slot.parent[slot.key];
  if (change.kind === 'replace') {
    if ('index' in slot) slot.parent[slot.index] = change.value;
    else setOwn(slot.parent, slot.key, change.value);
  } else if (change.kind === 'remove') {
    if ('index' in slot) slot.parent.splice(slot.index, 1);
    else delete slot.parent[slot.key];
  } else if (current !== null && current !== undefined && typeof current === 'object' && !Array.isArray(current)) {
    setOwn(current, change.key, change.value);
  }
  return root;
}

/** `base` documents with one to three structural mutations (each case works on its own copy). */
export const mutatedJson = (base: fc.Arbitrary<Json>): fc.Arbitrary<Json> =>
  fc.tuple(base, fc.array(jsonMutation, { minLength: 1, maxLength: 3 })).map(([value, changes]) => changes.reduce(applyJsonMutation, structuredClone(value)));

const DEEP_PLACEHOLDER = '@@deep@@';

/** The document's text with one value (picked modulo the nodes present) replaced by arrays or objects nested `levels` deep. */
function withDeepValue(doc: Json, node: number, levels: number, arrays: boolean): string {
  const placed = applyJsonMutation(structuredClone(doc), { kind: 'replace', node, value: DEEP_PLACEHOLDER });
  const deep = `${(arrays ? '[' : '{"k":').repeat(levels)}1${(arrays ? ']' : '}').repeat(levels)}`;
  return JSON.stringify(placed).replace(`"${DEEP_PLACEHOLDER}"`, deep);
}

const JSON_TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '"',
  '\\',
  '\\u',
  '\\ud800',
  '\\u0000',
  'null',
  'true',
  '1e999',
  '-',
  '.',
  '0x1',
  'NaN',
  '"__proto__"',
  '\u0000',
  '\ufeff',
  '/*',
  '\n',
];

/** A raw body text: a valid document's text with characters changed, or a shape JSON.parse or the validators may choke on. */
export function rawBodies(base: fc.Arbitrary<Json>): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: mutatedText(
        base.map((value) => JSON.stringify(value)),
        JSON_TOKENS,
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '[]', '"text"', '1e999', '{}', '{"a":1}{"a":2}', '\ufeff{}', '{"__proto__":{"polluted":1}}') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(base, fc.nat(), fc.constantFrom(60, 70, 1000, 10_000, 100_000), fc.boolean())
        .map(([doc, node, levels, arrays]) => withDeepValue(doc, node, levels, arrays)),
    },
    { weight: 1, arbitrary: fc.constantFrom(400_000, 600_000).map((n) => `{"tags":{"a":"${'x'.repeat(n)}"}}`) },
  );
}
