import fc from 'fast-check';
import { MAX_QUERY_LENGTH, printCondition, printQuery, type Query } from '../../src/query/index.js';
import { jobQuery, twinCondition, twinQuery } from '../query/query-arbitraries.js';
import { mutatedText, tokenFrom } from './text-mutations.js';

/**
 * Query texts for fuzzing: valid queries as the printer writes them, the same texts mutated (tokens
 * inserted, ranges deleted, replaced or repeated, cut short), token soup, and texts at the size and
 * nesting limits. Every one must either run or be refused with the hub's 400; nothing else.
 */

/** Pieces of the language and of what breaks lexers and SQL: keywords, operators, quotes, odd numbers and characters. */
const TOKENS = [
  'SELECT',
  'FROM',
  'WHERE',
  'TOP',
  'GROUP BY',
  'AS',
  'AND',
  'OR',
  'NOT',
  'IN',
  'NIN',
  'select',
  'where',
  'devices',
  'devices.jobs',
  'devices.modules',
  'jobs',
  '*',
  ' ',
  ',',
  '.',
  '..',
  '(',
  ')',
  '[',
  ']',
  '[[',
  ']]',
  '{',
  '}',
  '=',
  '!=',
  '<>',
  '<',
  '>',
  '<=',
  '>=',
  '+',
  '-',
  '/',
  '%',
  '!',
  '&',
  '|',
  '^',
  '~',
  ';',
  ':',
  '?',
  '@',
  '#',
  '`',
  "'",
  '"',
  '\\',
  "\\'",
  '\\u',
  '\\u00',
  '\\uD83D',
  '\\x41',
  "''",
  '""',
  'COUNT()',
  'COUNT(*)',
  'MIN(',
  'MAX(',
  'SUM(',
  'AVG(',
  'IS_DEFINED(',
  'IS_NULL(',
  'IS_STRING(',
  'STARTSWITH(',
  'ENDSWITH(',
  'LOWER(',
  'ARRAY_CONTAINS(',
  'tags',
  'properties',
  'properties.desired',
  'properties.reported',
  '$metadata',
  '$version',
  '$lastUpdated',
  'deviceId',
  'jobId',
  'status',
  'version',
  'etag',
  'connectionState',
  'capabilities.iotEdge',
  'tags.a',
  'tags.[[group]]',
  'tags.[[a.b]]',
  'x509Thumbprint',
  'null',
  'true',
  'false',
  'undefined',
  'NaN',
  'Infinity',
  '0',
  '-0',
  '1',
  '-1',
  '0.5',
  '1e308',
  '1e309',
  '-1e309',
  '1e-324',
  '4.9e-324',
  '9007199254740993',
  '0x',
  '0x1F',
  '0xFFFFFFFFFFFFFFFFFFFF',
  '1.',
  '.5',
  '1e',
  '1e+',
  '00',
  '1_000',
  "'a'",
  "'😀'",
  "'é'",
  "'\\''",
  "'\\\\'",
  "'%'",
  "'_'",
  "'\u0000'",
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\uD800',
  '\uDC00',
  '😀',
  'é',
  'e\u0301',
  'ß',
  'İ',
  '\t',
  '\n',
  '\r\n',
  "'); DROP TABLE devices; --",
  "' OR '1'='1",
  '/*',
  '*/',
  '--',
  '$1',
  '?',
  '::jsonb',
  'COLLATE',
  "E'\\x'",
];

/** A printed query or condition the parser accepts. */
const validQuery = fc.oneof({ weight: 3, arbitrary: twinQuery }, { weight: 1, arbitrary: jobQuery }).map((query: Query) => printQuery(query));
const validCondition = fc
  .tuple(fc.option(twinCondition, { nil: undefined }), fc.constantFrom('devices' as const, 'devices.modules' as const))
  .map(([where, collection]) => printCondition(where ? { collection, where } : { collection }));

const mutated = (base: fc.Arbitrary<string>) => mutatedText(base, TOKENS);

const token = tokenFrom(TOKENS);

/** Random tokens glued with or without spaces, sometimes behind a plausible prefix. */
const tokenSoup = fc
  .tuple(
    fc.constantFrom('', 'SELECT ', 'SELECT * FROM devices WHERE ', 'SELECT * FROM devices.jobs WHERE ', 'FROM devices WHERE '),
    fc.array(token, { minLength: 1, maxLength: 16 }),
    fc.constantFrom(' ', ''),
  )
  .map(([prefix, tokens, glue]) => prefix + tokens.join(glue));

/** Texts around the limits: the length limit, nesting depth, long chains and lists, many projections. */
const atTheLimits = fc.oneof(
  fc.integer({ min: MAX_QUERY_LENGTH - 40, max: MAX_QUERY_LENGTH + 40 }).map((length) => {
    const head = "SELECT * FROM devices WHERE tags.a = '";
    return `${head}${'x'.repeat(Math.max(0, length - head.length - 1))}'`;
  }),
  fc.integer({ min: 50, max: 5000 }).map((depth) => `SELECT * FROM devices WHERE ${'('.repeat(depth)}tags.a${')'.repeat(depth)} = 1`),
  fc.integer({ min: 50, max: 5000 }).map((depth) => `SELECT * FROM devices WHERE ${'NOT '.repeat(depth)}true`),
  fc.integer({ min: 50, max: 3000 }).map((depth) => `SELECT * FROM devices WHERE tags.a IN ${'['.repeat(depth)}1${']'.repeat(depth)}`),
  fc.integer({ min: 10, max: 2000 }).map((count) => `SELECT * FROM devices WHERE ${Array.from({ length: count }, (_, i) => `tags.a = ${i}`).join(' OR ')}`),
  fc.integer({ min: 10, max: 200 }).map((count) => `SELECT ${Array.from({ length: count }, (_, i) => `tags.a AS x${i}`).join(', ')} FROM devices`),
  fc.integer({ min: 10, max: 600 }).map((count) => `SELECT * FROM devices WHERE tags${'.a'.repeat(count)} = 1`),
  fc.integer({ min: 10, max: 3000 }).map((count) => `SELECT * FROM devices WHERE tags.a = 1${' + 1'.repeat(count)}`),
);

/** Query texts for POST /devices/query. */
export const queryText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: validQuery },
  { weight: 6, arbitrary: mutated(validQuery) },
  { weight: 2, arbitrary: tokenSoup },
  { weight: 1, arbitrary: atTheLimits },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** Texts for a job's queryCondition (a WHERE body, `*`, or `FROM devices[.modules] [WHERE …]`). */
export const conditionText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: validCondition },
  { weight: 5, arbitrary: mutated(validCondition) },
  { weight: 1, arbitrary: tokenSoup },
  { weight: 1, arbitrary: mutated(validQuery) },
);

/** An x-ms-continuation: none, garbage, or a token forged for the query itself (any offset, any keys). */
export type ContinuationCase = { kind: 'none' } | { kind: 'raw'; token: string } | { kind: 'forged'; returned: number; after?: string[] };

const keyText = fc.oneof(fc.constantFrom('', 'a', 'job1', '\u0000', 'x\u0000y', '\uD800', '😀', "'", '\\'), fc.string({ unit: 'binary', maxLength: 6 }));

export const continuationCase: fc.Arbitrary<ContinuationCase> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64')),
      )
      .map((token) => ({ kind: 'raw' as const, token })),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('forged' as const),
        returned: fc.oneof(fc.nat({ max: 50 }), fc.constantFrom(2 ** 31, 2 ** 53 - 1)),
        after: fc.array(keyText, { minLength: 1, maxLength: 2 }),
      },
      { requiredKeys: ['kind', 'returned'] },
    ),
  },
);
