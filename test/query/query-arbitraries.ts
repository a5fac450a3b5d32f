import fc from 'fast-check';
import type { AggregateName, ComparisonOperator, ConstantValue, Expression, FunctionName, Projection, Query } from '../../src/query/index.js';

/**
 * fast-check generators for twins, device-job records and queries over them. Values and keys come
 * from small pools shared by documents and queries, so random conditions actually match rows.
 */

export const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_240_611;

// Twin keys may not contain '.', '$', whitespace or control characters (Azure docs, "Understand and use device twins in IoT Hub"); the rest is fair game.
const KEYS = ['a', 'b', 'A', 'group', 'in', 'x1', 'constructor', 'we"ird', 'back\\slash', 'ü', 'sp[ec]', "it's"];
const STRINGS = ['', 'a', 'A', 'ab', 'abc', 'b', 'é', 'e\u0301', '😀', '\uE000', 'x y', "it's", 'quo"te', 'back\\slash', '10', 'true'];
export const SPECIAL_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  -2.5,
  0.1,
  0.30000000000000004,
  1e21,
  2 ** 53,
  -(2 ** 53),
  2 ** 53 + 2,
  1e150,
  1e-150,
  // Around the arithmetic bounds (1e300, 1e-300) and the ends of the double range.
  1e300,
  -1e300,
  1.5e300,
  -1e301,
  1e305,
  1e-300,
  -1e-300,
  1e-301,
  1e-310,
  5e-324,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

// Most documents and paths use a few common keys, so paths into tags and properties usually exist.
const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('a', 'b', 'group') }, { weight: 1, arbitrary: fc.constantFrom(...KEYS) });
const string = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'Z', 'ß', '😀', "'"), maxLength: 3 }) },
);
const number = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_NUMBERS) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);
/** Numbers whose sums stay exact enough to compare SUM/AVG across engines with a small tolerance. */
const moderateNumber = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100),
);
const primitive = fc.oneof(
  { weight: 3, arbitrary: string },
  { weight: 3, arbitrary: number },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: primitive },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(key, tie('value'), { maxKeys: 3 }) },
  ),
}));

const section = fc
  .record({
    user: fc.dictionary(key, value, { maxKeys: 4 }),
    version: fc.integer({ min: 1, max: 9 }),
    metric: fc.option(fc.oneof(moderateNumber, moderateNumber, fc.constant('n/a'), fc.boolean()), { nil: undefined }),
  })
  .map(({ user, version, metric }) => ({
    ...user,
    ...(metric !== undefined && { metric }),
    $metadata: { $lastUpdated: '2024-05-10T07:11:30.9707312Z' },
    $version: version,
  }));

const twinBody = fc.record(
  {
    status: fc.constantFrom('enabled', 'disabled'),
    statusReason: fc.constantFrom(null, 'provisioning', ''),
    x509Thumbprint: fc.record({ primaryThumbprint: fc.constantFrom(null, 'AB12'), secondaryThumbprint: fc.constant(null) }),
    connectionState: fc.constantFrom('Connected', 'Disconnected'),
    version: fc.integer({ min: 1, max: 20 }),
    etag: fc.constantFrom('AAAAAAAAAAE=', 'AAAAAAAAAAI='),
    lastActivityTime: fc.constantFrom('0001-01-01T00:00:00Z', '2024-05-10T07:11:30.9707312Z'),
    capabilities: fc.record({ iotEdge: fc.boolean() }),
    tags: fc.dictionary(key, value, { maxKeys: 4 }),
    properties: fc.record({ desired: section, reported: section }),
  },
  { requiredKeys: ['status', 'version', 'properties'] },
);

/** Device ids with mixed case, non-ASCII and astral characters, so key order is exercised. */
const deviceId = fc.string({ unit: fc.constantFrom('a', 'B', 'z', 'é', 'Ä', '😀', '\uE000', '-', '0'), minLength: 1, maxLength: 4 });

/** Documents as a store holds them: after a JSON round trip (so -0 is 0, as in the database). */
const asStored = <T>(document: T): T => JSON.parse(JSON.stringify(document)) as T;

export const twins = fc
  .uniqueArray(deviceId, { maxLength: 16, size: 'medium' })
  .chain((ids) => fc.tuple(...ids.map((id) => twinBody.map((body) => asStored({ deviceId: id, ...body })))));

const JOB_STATUSES = ['pending', 'scheduled', 'running', 'completed', 'failed', 'canceled'];
const jobRecordBody = fc.record(
  {
    jobType: fc.constantFrom('scheduleDeviceMethod', 'scheduleUpdateTwin'),
    status: fc.constantFrom(...JOB_STATUSES),
    startTimeUtc: fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'),
    endTimeUtc: fc.constantFrom('2024-01-01T00:00:05Z', '2024-01-03T00:00:00Z'),
    createdDateTimeUtc: fc.constantFrom('2023-12-31T23:00:00Z', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'),
    lastUpdatedDateTimeUtc: fc.constantFrom('2024-01-01T00:00:05Z'),
    outcome: fc.oneof(
      fc.constant({ deviceMethodResponse: null }),
      fc.record({ deviceMethodResponse: fc.record({ status: fc.constantFrom(200, 404, 500), payload: value }) }),
    ),
    error: fc.record({ code: fc.constantFrom('DeviceNotOnline', 'GatewayTimeout'), description: string }),
  },
  { requiredKeys: ['jobType', 'status', 'createdDateTimeUtc'] },
);

export const jobRecords = fc
  .uniqueArray(fc.tuple(fc.constantFrom('job1', 'job2', 'Job3'), deviceId), {
    maxLength: 12,
    selector: ([job, device]) => `${job}\n${device}`,
  })
  .chain((keys) => fc.tuple(...keys.map(([jobId, id]) => jobRecordBody.map((body) => asStored({ deviceId: id, jobId, ...body })))));

// ---- queries

/** A path into the documents together with constants it is worth comparing it with. */
type Field = [path: string[], values: fc.Arbitrary<ConstantValue>];

/** Constants drawn from the same pools as document values, so comparisons with paths can hold. */
const likelyValue: fc.Arbitrary<ConstantValue> = fc.oneof(
  { weight: 4, arbitrary: primitive },
  { weight: 1, arbitrary: fc.constantFrom(...JOB_STATUSES, 'job1', 'enabled', 'Connected', 'DeviceNotOnline', '2024-01-01T00:00:00Z') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }) },
);
const constantValue: fc.Arbitrary<ConstantValue> = fc.oneof(
  { weight: 8, arbitrary: likelyValue },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.array(primitive, { maxLength: 2 }) },
);

const userPath = fc
  .tuple(
    fc.constantFrom(['tags'], ['properties', 'desired'], ['properties', 'reported']),
    fc.oneof({ weight: 3, arbitrary: fc.tuple(key) }, fc.tuple(key, key)),
  )
  .map(([root, keys]) => [...root, ...keys]);

const TWIN_FIELDS: Field[] = [
  [['deviceId'], fc.constantFrom('a', 'B', 'z', 'é', '😀')],
  [['status'], fc.constantFrom('enabled', 'disabled')],
  [['statusReason'], fc.constantFrom(null, 'provisioning', '')],
  [['x509Thumbprint', 'primaryThumbprint'], fc.constantFrom(null, 'AB12', 'AB')],
  [['x509Thumbprint', 'secondaryThumbprint'], fc.constantFrom(null, 'AB12')],
  [['version'], fc.integer({ min: 0, max: 21 })],
  [['etag'], fc.constantFrom('AAAAAAAAAAE=', 'AAAAAAAAAAI=')],
  [['connectionState'], fc.constantFrom('Connected', 'Disconnected')],
  [['lastActivityTime'], fc.constantFrom('0001-01-01T00:00:00Z', '2024-05-10T07:11:30.9707312Z', '2020')],
  [['capabilities', 'iotEdge'], fc.boolean()],
  [['properties', 'desired', '$version'], fc.integer({ min: 0, max: 10 })],
  [['properties', 'reported', 'metric'], fc.oneof(moderateNumber, fc.constant('n/a'))],
  [['tags'], likelyValue],
  [['foo'], likelyValue],
];
const twinField = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TWIN_FIELDS) },
  { weight: 1, arbitrary: userPath.map((path): Field => [path, likelyValue]) },
);

const JOB_FIELDS: Field[] = [
  [['jobId'], fc.constantFrom('job1', 'job2', 'Job3', 'job')],
  [['deviceId'], fc.constantFrom('a', 'B', 'z', 'é')],
  [['moduleId'], likelyValue],
  [['status'], fc.constantFrom(...JOB_STATUSES)],
  [['jobType'], fc.constantFrom('scheduleDeviceMethod', 'scheduleUpdateTwin')],
  [['createdDateTimeUtc'], fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-15', '2025')],
  [['startTimeUtc'], fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-02')],
  [['outcome', 'deviceMethodResponse'], fc.constantFrom(null, 200)],
  [['outcome', 'deviceMethodResponse', 'status'], fc.constantFrom(200, 404, 500, 300)],
  [['outcome', 'deviceMethodResponse', 'payload', 'a'], likelyValue],
  [['error', 'code'], fc.constantFrom('DeviceNotOnline', 'GatewayTimeout')],
];
const jobField = fc.constantFrom(...JOB_FIELDS);

const COMPARISONS: ComparisonOperator[] = ['=', '!=', '<', '>', '<=', '>='];
const TYPE_CHECKS: FunctionName[] = ['IS_DEFINED', 'IS_ARRAY', 'IS_BOOL', 'IS_NULL', 'IS_NUMBER', 'IS_OBJECT', 'IS_PRIMITIVE', 'IS_STRING'];
const FUNCTIONS: FunctionName[] = [...TYPE_CHECKS, 'STARTSWITH', 'ENDSWITH'];

/** `-` applied to a number literal parses as a negative constant, so generate that form. */
const negate = (operand: Expression): Expression =>
  operand.type === 'constant' && typeof operand.value === 'number' ? { type: 'constant', value: -operand.value } : { type: 'negate', operand };

/** AND/OR chains come out of the parser flattened. */
const logical = (operator: 'AND' | 'OR', operands: Expression[]): Expression => ({
  type: 'logical',
  operator,
  operands: operands.flatMap((e) => (e.type === 'logical' && e.operator === operator ? e.operands : [e])),
});

const pathOf = (path: string[]): Expression => ({ type: 'path', path });
const constant = (value: ConstantValue): Expression => ({ type: 'constant', value });

/** Conditions of the kind people write (a path against a fitting constant): they hold for some rows. */
function predicates(field: fc.Arbitrary<Field>): fc.Arbitrary<Expression> {
  const withValue = field.chain(([path, values]) => values.map((value) => [path, value] as const));
  const withValues = field.chain(([path, values]) => fc.array(values, { minLength: 1, maxLength: 4 }).map((list) => [path, list] as const));
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.tuple(withValue, fc.constantFrom(...COMPARISONS)).map(([[path, value], operator]): Expression => ({
        type: 'comparison',
        operator,
        left: pathOf(path),
        right: constant(value),
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(withValues, fc.boolean()).map(([[path, values], negated]): Expression => ({
        type: 'membership',
        negated,
        operand: pathOf(path),
        values,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...TYPE_CHECKS), field).map(([name, [path]]): Expression => ({ type: 'call', name, args: [pathOf(path)] })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom<FunctionName>('STARTSWITH', 'ENDSWITH'),
          field,
          fc.constantFrom('', 'a', 'b', 'd', 'ab', 'abcd', '😀', '😀😀', 'Z', '0', 'Con', 'AB12x'),
        )
        .map(([name, [path], affix]): Expression => ({ type: 'call', name, args: [pathOf(path), constant(affix)] })),
    },
  );
}

function expressions(field: fc.Arbitrary<Field>): fc.Arbitrary<Expression> {
  const leaf: fc.Arbitrary<Expression> = fc.oneof(
    { weight: 6, arbitrary: predicates(field) },
    { weight: 3, arbitrary: field.map(([path]) => pathOf(path)) },
    { weight: 2, arbitrary: constantValue.map(constant) },
  );
  const { expression } = fc.letrec<{ expression: Expression }>((tie) => {
    const sub = tie('expression');
    return {
      expression: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        { weight: 6, arbitrary: leaf },
        fc.tuple(fc.constantFrom(...COMPARISONS), sub, sub).map(([operator, left, right]): Expression => ({ type: 'comparison', operator, left, right })),
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.constantFrom('AND' as const, 'OR' as const), fc.array(sub, { minLength: 2, maxLength: 3 }))
            .map(([op, ops]) => logical(op, ops)),
        },
        sub.map((operand): Expression => ({ type: 'not', operand })),
        sub.map(negate),
        fc.tuple(fc.constantFrom('+', '-', '*', '/', '%' as const), sub, sub).map(([operator, left, right]): Expression => ({
          type: 'arithmetic',
          operator,
          left,
          right,
        })),
        fc.tuple(fc.boolean(), sub, fc.array(constantValue, { maxLength: 4 })).map(([negated, operand, values]): Expression => ({
          type: 'membership',
          negated,
          operand,
          values,
        })),
        fc.tuple(fc.constantFrom(...FUNCTIONS), sub, sub).map(([name, a, b]): Expression => ({
          type: 'call',
          name,
          args: name === 'STARTSWITH' || name === 'ENDSWITH' ? [a, b] : [a],
        })),
      ),
    };
  });
  return expression;
}

/** WHERE clauses: mostly boolean combinations of predicates, sometimes any expression at all. */
function conditions(field: fc.Arbitrary<Field>): fc.Arbitrary<Expression> {
  const { condition } = fc.letrec<{ condition: Expression }>((tie) => ({
    condition: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 5, arbitrary: predicates(field) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom('AND' as const, 'OR' as const), fc.array(tie('condition'), { minLength: 2, maxLength: 3 }))
          .map(([op, ops]) => logical(op, ops)),
      },
      { weight: 1, arbitrary: tie('condition').map((operand): Expression => ({ type: 'not', operand })) },
      { weight: 2, arbitrary: expressions(field) },
    ),
  }));
  return condition;
}

const twinPath = twinField.map(([path]) => path);

const NUMERIC_PATHS = [['version'], ['properties', 'desired', '$version'], ['properties', 'reported', 'metric'], ['tags', 'a'], ['tags', 'b']];

/** Arithmetic over numeric fields and constants, extreme magnitudes included. */
export const numericExpression: fc.Arbitrary<Expression> = fc.letrec<{ numeric: Expression }>((tie) => ({
  numeric: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: fc.constantFrom(...NUMERIC_PATHS).map(pathOf) },
    { weight: 3, arbitrary: fc.oneof(number, fc.constantFrom(...SPECIAL_NUMBERS)).map(constant) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom('+', '-', '*', '/', '%' as const), tie('numeric'), tie('numeric'))
        .map(([operator, left, right]): Expression => ({ type: 'arithmetic', operator, left, right })),
    },
    { weight: 1, arbitrary: tie('numeric').map(negate) },
  ),
})).numeric;

const alias = (i: number) => `v${i}`;
const withOptional = <T extends object>(base: T, extra: Partial<Query>): T => ({
  ...base,
  ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
});

const top = fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined });
const twinWhere = fc.option(conditions(twinField), { nil: undefined, freq: 4 });

const plainTwinQuery: fc.Arbitrary<Query> = fc
  .record({
    top,
    where: twinWhere,
    select: fc.oneof(
      fc.constant('*' as const),
      fc.array(twinPath, { minLength: 1, maxLength: 3 }).map((paths) => paths.map((path, i): Projection => ({ type: 'path', path, alias: alias(i) }))),
    ),
  })
  .map(({ top: t, where, select }) => withOptional({ collection: 'devices', select } as Query, { top: t, where }));

const aggregateProjection = fc.oneof(
  fc.constant<Pick<Projection & { type: 'aggregate' }, 'name' | 'path'>>({ name: 'COUNT' }),
  fc.tuple(fc.constantFrom<AggregateName>('MIN', 'MAX'), twinPath).map(([name, path]) => ({ name, path })),
  fc.tuple(fc.constantFrom<AggregateName>('SUM', 'AVG'), fc.constantFrom('desired', 'reported')).map(([name, section]) => ({
    name,
    path: ['properties', section, 'metric'],
  })),
);

const aggregateTwinQuery: fc.Arbitrary<Query> = fc
  .record({
    top,
    where: twinWhere,
    groupBy: fc.option(twinPath, { nil: undefined }),
    selectGroup: fc.boolean(),
    aggregates: fc.array(aggregateProjection, { minLength: 1, maxLength: 3 }),
  })
  .map(({ top: t, where, groupBy, selectGroup, aggregates }) => {
    const select: Projection[] = aggregates.map((a, i) => ({ type: 'aggregate', ...a, alias: alias(i) }));
    if (groupBy && selectGroup) select.unshift({ type: 'path', path: groupBy, alias: 'g' });
    return withOptional({ collection: 'devices', select } as Query, { top: t, where, groupBy });
  });

export const twinQuery: fc.Arbitrary<Query> = fc.oneof({ weight: 3, arbitrary: plainTwinQuery }, { weight: 1, arbitrary: aggregateTwinQuery });

export const twinCondition: fc.Arbitrary<Expression> = conditions(twinField);

export const jobQuery: fc.Arbitrary<Query> = fc
  .record({ top, where: fc.option(conditions(jobField), { nil: undefined, freq: 4 }) })
  .map(({ top: t, where }) => withOptional({ collection: 'devices.jobs', select: '*' } as Query, { top: t, where }));
