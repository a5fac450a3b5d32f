// fast-check generators of list-filter strings over the synthetic records' attributes, with
// values drawn close to the data so that filters select something.
import fc from 'fast-check';
import { formatRfc3339Nano } from '../../../../temporal-lite/visibility/datetime.js';
import { BASE_MS, KEYWORDS, QUEUES, TAGS, TYPES, WORDS } from './synthetic-records.js';

const quote = (s: string) => fc.constantFrom(`'${s.replace(/'/g, "''")}'`, `"${s.replace(/"/g, '\\"')}"`);
const name = (n: string) => fc.constantFrom(n, `\`${n}\``);
const oneOfQuoted = (values: readonly string[]) => fc.constantFrom(...values).chain(quote);
const list = (item: fc.Arbitrary<string>) => fc.array(item, { minLength: 1, maxLength: 3 }).map((xs) => `(${xs.join(', ')})`);

const COMPARISON = fc.constantFrom('=', '!=', '<>', '<', '<=', '>', '>=');

/**
 * Datetimes at, or a nanosecond to a millisecond off, the records' times (which are whole
 * milliseconds), as RFC 3339 in UTC or another offset, or as Unix nanoseconds.
 */
const HOUR_NANOS = 3_600_000_000_000n;
const datetime = fc
  .tuple(
    fc.integer({ min: -2, max: 45 }),
    fc.constantFrom(0, 0, 7, -1, 1),
    fc.oneof(fc.constantFrom(0, 1, -1, 999_999, -999_999), fc.integer({ min: -999_999, max: 999_999 })),
    fc.constantFrom('Z', '+02:00', '-05:30', 'nanos'),
  )
  .map(([minutes, ms, delta, form]) => {
    const nanos = BigInt(BASE_MS + minutes * 60_000 + ms) * 1_000_000n + BigInt(delta);
    if (form === 'nanos') return nanos.toString();
    if (form === 'Z') return `'${formatRfc3339Nano(nanos)}'`;
    const hours = form === '+02:00' ? 2n : -5n;
    const local = nanos + hours * HOUR_NANOS + (form === '-05:30' ? -HOUR_NANOS / 2n : 0n);
    return `'${formatRfc3339Nano(local).replace('Z', form)}'`;
  });
const whenDatetime = fc.integer({ min: -1, max: 31 }).map((d) => `'${new Date(BASE_MS + d * 86_400_000).toISOString()}'`);

function keywordLeaf(attr: string, values: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(name(attr), COMPARISON, values).map(([a, op, v]) => `${a} ${op} ${v}`),
    fc.tuple(name(attr), fc.constantFrom('IN', 'NOT IN'), list(values)).map(([a, op, v]) => `${a} ${op} ${v}`),
    fc.tuple(name(attr), fc.constantFrom('STARTS_WITH', 'NOT STARTS_WITH'), values).map(([a, op, v]) => `${a} ${op} ${v}`),
    fc.tuple(name(attr), fc.constantFrom('BETWEEN', 'NOT BETWEEN'), values, values).map(([a, op, x, y]) => `${a} ${op} ${x} AND ${y}`),
  );
}

function orderedLeaf(attr: string, values: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(name(attr), COMPARISON, values).map(([a, op, v]) => `${a} ${op} ${v}`),
    fc.tuple(name(attr), fc.constantFrom('IN', 'NOT IN'), list(values)).map(([a, op, v]) => `${a} ${op} ${v}`),
    fc.tuple(name(attr), fc.constantFrom('BETWEEN', 'NOT BETWEEN'), values, values).map(([a, op, x, y]) => `${a} ${op} ${x} AND ${y}`),
  );
}

const workflowIds = fc
  .oneof(
    fc.integer({ min: 0, max: 160 }).map((i) => `wf-${String(i).padStart(3, '0')}`),
    fc.constantFrom('wf-0', 'wf-1', 'wf-', 'w', 'x'),
  )
  .chain(quote);

const NULLABLE = ['Kw', 'Txt', 'Num', 'Dbl', 'Flag', 'When', 'Tags', 'CloseTime', 'HistoryLength', 'ParentWorkflowId', 'ExecutionDuration'];

export const leafArbitrary: fc.Arbitrary<string> = fc.oneof(
  keywordLeaf('WorkflowId', workflowIds),
  keywordLeaf('WorkflowType', oneOfQuoted([...TYPES, 'Order', 'Zed'])),
  keywordLeaf('TaskQueue', oneOfQuoted([...QUEUES, 'q'])),
  keywordLeaf('ParentWorkflowId', workflowIds),
  keywordLeaf('Kw', oneOfQuoted([...KEYWORDS, 'zzz', 'Ü'])),
  fc
    .tuple(
      name('ExecutionStatus'),
      fc.constantFrom('=', '!='),
      fc.constantFrom("'Running'", "'Completed'", "'TimedOut'", '3', "'WORKFLOW_EXECUTION_STATUS_FAILED'"),
    )
    .map(([a, op, v]) => `${a} ${op} ${v}`),
  fc
    .tuple(name('ExecutionStatus'), fc.constantFrom('IN', 'NOT IN'), list(fc.constantFrom("'Running'", "'Canceled'", '5', "'ContinuedAsNew'")))
    .map(([a, op, v]) => `${a} ${op} ${v}`),
  orderedLeaf('StartTime', datetime),
  orderedLeaf('CloseTime', datetime),
  orderedLeaf('ExecutionTime', datetime),
  orderedLeaf('HistoryLength', fc.integer({ min: -1, max: 31 }).map(String)),
  orderedLeaf('ExecutionDuration', fc.constantFrom("'0s'", "'2m'", "'90s'", '300000000000', "'00:05:00'", "'4m30.000000001s'")),
  orderedLeaf('Num', fc.oneof(fc.integer({ min: -6, max: 21 }).map(String), fc.constantFrom('2.5', '-0.5', '1e1'))),
  orderedLeaf('Dbl', fc.oneof(fc.integer({ min: -3, max: 11 }).map(String), fc.constantFrom('2.25', '-1.75', '0.5'))),
  orderedLeaf('When', whenDatetime),
  fc.tuple(name('Flag'), fc.constantFrom('=', '!=', '<', '>='), fc.constantFrom('true', 'FALSE', 'True')).map(([a, op, v]) => `${a} ${op} ${v}`),
  fc.tuple(name('Flag'), fc.constantFrom('IN', 'NOT IN'), list(fc.constantFrom('true', 'false'))).map(([a, op, v]) => `${a} ${op} ${v}`),
  fc.tuple(name('Tags'), fc.constantFrom('=', '!='), oneOfQuoted([...TAGS, 'none'])).map(([a, op, v]) => `${a} ${op} ${v}`),
  fc.tuple(name('Tags'), fc.constantFrom('IN', 'NOT IN'), list(oneOfQuoted([...TAGS, 'none']))).map(([a, op, v]) => `${a} ${op} ${v}`),
  fc
    .tuple(
      name('Txt'),
      fc.constantFrom('=', '!='),
      fc
        .array(fc.constantFrom(...WORDS, 'cafe', 'RED', 'purple'), { minLength: 1, maxLength: 2 })
        .map((w) => w.join(' '))
        .chain(quote),
    )
    .map(([a, op, v]) => `${a} ${op} ${v}`),
  fc.tuple(fc.constantFrom(...NULLABLE), fc.constantFrom('IS NULL', 'IS NOT NULL')).map(([a, op]) => `${a} ${op}`),
);

export const conditionArbitrary: fc.Arbitrary<string> = fc.letrec<{ cond: string }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leafArbitrary,
    fc.tuple(tie('cond'), fc.constantFrom('AND', 'OR', 'and', '&&', '||'), tie('cond')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    tie('cond').map((c) => `NOT (${c})`),
  ),
})).cond;

const SORTABLE = ['StartTime', 'CloseTime', 'WorkflowId', 'ExecutionStatus', 'HistoryLength', 'Kw', 'Num', 'Dbl', 'Flag', 'When'];

export const orderByArbitrary: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...SORTABLE), fc.constantFrom('', ' ASC', ' DESC', ' asc')), { maxLength: 2 })
  .map((terms) => (terms.length === 0 ? '' : ` ORDER BY ${terms.map(([a, d]) => a + d).join(', ')}`));
