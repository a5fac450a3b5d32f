import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import {
  compileMatchingKeys,
  compileQuery,
  evaluateExpression,
  evaluateQuery,
  matchesCondition,
  parseQuery,
  printQuery,
  type ArithmeticOperator,
  type Expression,
  type Query,
  type QuerySource,
  type SqlDialectName,
} from '../../src/query/index.js';
import { FC_SEED, jobQuery, jobRecords, numericExpression, SPECIAL_NUMBERS, twinCondition, twinQuery, twins } from './query-arbitraries.js';

/** A real database holding a devices table and a device-jobs table in the stores' shapes. */
export interface QueryDatabase {
  readonly dialect: SqlDialectName;
  readonly devices: QuerySource;
  readonly jobs: QuerySource;
  /** Replaces the table's rows with these documents. */
  load(table: 'devices' | 'jobs', documents: readonly Record<string, unknown>[]): Promise<void>;
  rows(sql: string, params: unknown[]): Promise<object[]>;
  close(): Promise<void>;
}

export const DEVICE_TABLE_KEYS = ['deviceId'] as const;
export const JOB_TABLE_KEYS = ['jobId', 'deviceId'] as const;

// Code point order of UTF-16 strings equals UTF-8 byte order, the stores' key order.
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function sortedByKey<T extends Record<string, unknown>>(documents: readonly T[], keys: readonly string[]): T[] {
  return [...documents].sort((x, y) => {
    for (const key of keys) {
      const order = byteOrder(String(x[key]), String(y[key]));
      if (order !== 0) return order;
    }
    return 0;
  });
}

/** All pages of a query, checking each page's size and that the last page has no continuation. */
async function allPages(db: QueryDatabase, source: QuerySource, query: Query, pageSize: number, maxPages: number) {
  const items: unknown[] = [];
  let continuation: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const compiled = compileQuery(query, db.dialect, source, { pageSize, continuation });
    const result = compiled.decodePage(await db.rows(compiled.sql, compiled.params));
    assert.ok(result.items.length <= pageSize, `page of ${result.items.length} items exceeds ${pageSize}`);
    items.push(...result.items);
    continuation = result.continuation;
    if (continuation === undefined) return items;
  }
  assert.fail(`query still had a continuation after ${maxPages} pages`);
}

/** SUM/AVG results may differ in the last bits between summation strategies; all else is exact. */
function assertSameItems(actual: unknown[], expected: unknown[], query: Query): void {
  const approximate = new Set(
    query.select === '*' ? [] : query.select.filter((p) => p.type === 'aggregate' && (p.name === 'SUM' || p.name === 'AVG')).map((p) => p.alias),
  );
  if (approximate.size === 0) return assert.deepStrictEqual(actual, expected);
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) => {
    const exp = expected[i] as Record<string, unknown>;
    const act = row as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(act).sort(), Object.keys(exp).sort());
    for (const [key, value] of Object.entries(exp)) {
      if (approximate.has(key)) {
        const difference = Math.abs((act[key] as number) - (value as number));
        assert.ok(difference <= 1e-6 + 1e-9 * Math.abs(value as number), `${key}: ${act[key]} vs ${value}`);
      } else {
        assert.deepStrictEqual(act[key], value);
      }
    }
  });
}

/** What the evaluator computes for `a operator b` (undefined when the operation is not defined). */
function arithmeticOf(operator: ArithmeticOperator, a: number, b: number): number | undefined {
  const value = evaluateExpression({ type: 'arithmetic', operator, left: { type: 'constant', value: a }, right: { type: 'constant', value: b } }, {});
  return value as number | undefined;
}

/** `actual` is undefined exactly when `expected` is, and otherwise equal to it. */
function agrees(actual: Expression, expected: Expression): Expression {
  const defined = (e: Expression): Expression => ({ type: 'call', name: 'IS_DEFINED', args: [e] });
  return {
    type: 'logical',
    operator: 'OR',
    operands: [
      {
        type: 'logical',
        operator: 'AND',
        operands: [
          { type: 'not', operand: defined(actual) },
          { type: 'not', operand: defined(expected) },
        ],
      },
      { type: 'comparison', operator: '=', left: actual, right: expected },
    ],
  };
}

function describeMissing(rows: { id: string }[], pairs: readonly (readonly [number, number])[]): string {
  const found = new Set(rows.map((row) => row.id));
  return pairs
    .filter((_, i) => !found.has(String(i).padStart(4, '0')))
    .slice(0, 5)
    .map(([a, b]) => `(${a}, ${b})`)
    .join(', ');
}

function runs(count: number) {
  return { seed: FC_SEED, numRuns: count };
}

/** The query-semantics properties against one database: its SQL must give the evaluator's rows. */
export function defineQueryProperties(open: () => Promise<QueryDatabase>, numRuns: number): void {
  let db: QueryDatabase;
  before(async () => {
    db = await open();
  });
  after(async () => {
    await db?.close();
  });

  /** Loads the documents, then runs each query (printed and parsed back) page by page against the evaluator. */
  async function checkQueries(table: 'devices' | 'jobs', documents: Record<string, unknown>[], queries: Query[], pageSize: number) {
    await db.load(table, documents);
    const ordered = sortedByKey(documents, table === 'devices' ? DEVICE_TABLE_KEYS : JOB_TABLE_KEYS);
    for (const generated of queries) {
      const query = parseQuery(printQuery(generated));
      const expected = evaluateQuery(query, ordered).items;
      assertSameItems(await allPages(db, table === 'devices' ? db.devices : db.jobs, query, pageSize, documents.length + 3), expected, query);
    }
  }

  it('twin queries (paths, projections, GROUP BY, aggregates, TOP) return the evaluator rows across pages', async () => {
    await fc.assert(
      fc.asyncProperty(twins, fc.array(twinQuery, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5 }), (docs, queries, pageSize) =>
        checkQueries('devices', docs, queries, pageSize),
      ),
      runs(numRuns),
    );
  });

  it('one page of the maximum size holds the same rows as many small pages', async () => {
    await fc.assert(
      fc.asyncProperty(twins, twinQuery, async (docs, generated) => {
        await db.load('devices', docs);
        const query = parseQuery(printQuery(generated));
        const whole = await allPages(db, db.devices, query, 1000, 1);
        assertSameItems(await allPages(db, db.devices, query, 1, docs.length + 3), whole, query);
      }),
      runs(Math.ceil(numRuns / 3)),
    );
  });

  it('arithmetic is defined for the same rows and gives the same doubles as the evaluator', async () => {
    const compare = (operator: '=' | '<' | '>', left: Expression, value: number): Expression => ({
      type: 'comparison',
      operator,
      left,
      right: { type: 'constant', value },
    });
    await fc.assert(
      fc.asyncProperty(twins, numericExpression, async (docs, expression) => {
        await db.load('devices', docs);
        const ordered = sortedByKey(docs, DEVICE_TABLE_KEYS);
        const values = ordered.map((doc) => evaluateExpression(expression, doc)).filter((v): v is number => typeof v === 'number');
        // Probing with values the expression takes makes `=` hold exactly when both sides compute the same double.
        const probes = [...new Set(values)].slice(0, 3);
        const conditions: Expression[] = [
          { type: 'call', name: 'IS_DEFINED', args: [expression] },
          compare('>', expression, 0),
          ...probes.flatMap((value) => [compare('=', expression, value), compare('<', expression, value)]),
        ];
        for (const where of conditions) {
          const query: Query = { collection: 'devices', select: [{ type: 'path', path: ['deviceId'], alias: 'id' }], where };
          assert.deepStrictEqual(await allPages(db, db.devices, query, 1000, 1), evaluateQuery(query, ordered).items);
        }
      }),
      runs(numRuns),
    );
  });

  it('every operator on every pair of boundary numbers, from documents and as constants', async () => {
    const numbers = [...SPECIAL_NUMBERS, 2, 3, -7, 0.25, 1e308];
    const operators: ArithmeticOperator[] = ['+', '-', '*', '/', '%'];
    const pairs = numbers.flatMap((a) => numbers.map((b) => [a, b] as const));
    // From documents: each row holds a pair and the evaluator's results; the SQL must reproduce them.
    const docs = pairs.map(([a, b], i) => ({
      deviceId: String(i).padStart(4, '0'),
      tags: { a, b, ...Object.fromEntries(operators.map((op, j) => [`r${j}`, arithmeticOf(op, a, b)])) },
    }));
    await db.load('devices', JSON.parse(JSON.stringify(docs)) as Record<string, unknown>[]);
    const tag = (name: string): Expression => ({ type: 'path', path: ['tags', name] });
    for (const [j, operator] of operators.entries()) {
      const result: Expression = { type: 'arithmetic', operator, left: tag('a'), right: tag('b') };
      const query: Query = {
        collection: 'devices',
        select: [{ type: 'path', path: ['deviceId'], alias: 'id' }],
        where: agrees(result, tag(`r${j}`)),
      };
      const rows = (await allPages(db, db.devices, query, 1000, 1)) as { id: string }[];
      assert.equal(rows.length, docs.length, `${operator}: SQL disagrees for ${describeMissing(rows, pairs)}`);
    }
    // As constants (PostgreSQL folds them while planning, where an unguarded overflow would raise).
    await db.load('devices', [{ deviceId: 'one' }]);
    for (const operator of operators) {
      for (const a of numbers) {
        const checks = numbers.map((b): Expression => {
          const result: Expression = { type: 'arithmetic', operator, left: { type: 'constant', value: a }, right: { type: 'constant', value: b } };
          const expected = arithmeticOf(operator, a, b);
          return agrees(result, { type: 'constant', value: expected });
        });
        const query: Query = { collection: 'devices', select: '*', where: { type: 'logical', operator: 'AND', operands: checks } };
        assert.equal((await allPages(db, db.devices, query, 1000, 1)).length, 1, `${a} ${operator} …`);
      }
    }
  });

  it('runs the largest queries the parser accepts: deep arithmetic, long AND/OR chains, long IN lists', async () => {
    const docs = Array.from({ length: 50 }, (_, i) => ({ deviceId: `d${String(i).padStart(3, '0')}`, tags: { n: i } }));
    await db.load('devices', docs);
    const texts = [
      // 62 nested additions (the expression depth limit is 64), each level guarded by the overflow check.
      `SELECT * FROM devices WHERE ${'('.repeat(62)}tags.n${' + 1)'.repeat(62)} > 100`,
      `SELECT * FROM devices WHERE ${Array.from({ length: 350 }, (_, i) => `deviceId = 'd${String(i * 7).padStart(3, '0')}'`).join(' OR ')}`,
      `SELECT * FROM devices WHERE ${Array.from({ length: 400 }, (_, i) => `tags.n != ${i * 3 + 1}`).join(' AND ')}`,
      `SELECT * FROM devices WHERE tags.n IN [${Array.from({ length: 1500 }, (_, i) => i * 2).join(',')}]`,
    ];
    for (const text of texts) {
      const query = parseQuery(text);
      assert.deepStrictEqual(await allPages(db, db.devices, query, 1000, 1), evaluateQuery(query, docs).items, text.slice(0, 60));
    }
  });

  it('devices.jobs queries return the evaluator rows in (jobId, deviceId) order', async () => {
    await fc.assert(
      fc.asyncProperty(jobRecords, fc.array(jobQuery, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 5 }), (records, queries, pageSize) =>
        checkQueries('jobs', records, queries, pageSize),
      ),
      runs(Math.ceil(numRuns / 2)),
    );
  });

  it('compileMatchingKeys walks exactly the devices matching a condition, in key order, in batches', async () => {
    await fc.assert(
      fc.asyncProperty(twins, fc.option(twinCondition, { nil: undefined }), fc.integer({ min: 1, max: 4 }), async (docs, where, limit) => {
        await db.load('devices', docs);
        const expected = sortedByKey(docs, DEVICE_TABLE_KEYS)
          .filter((doc) => matchesCondition(where, doc))
          .map((doc) => doc.deviceId);
        const condition = where ? { collection: 'devices' as const, where } : { collection: 'devices' as const };
        const found: unknown[] = [];
        let afterKey: string | undefined;
        for (let batch = 0; batch <= docs.length; batch++) {
          const { sql, params } = compileMatchingKeys(condition, db.dialect, db.devices, { limit, after: afterKey });
          const rows = (await db.rows(sql, params)) as { key_0: string }[];
          found.push(...rows.map((row) => row.key_0));
          if (rows.length < limit) break;
          afterKey = rows.at(-1)!.key_0;
        }
        assert.deepStrictEqual(found, expected);
      }),
      runs(Math.ceil(numRuns / 2)),
    );
  });
}
