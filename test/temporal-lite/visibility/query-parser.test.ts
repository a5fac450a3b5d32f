import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition } from '../../../temporal-lite/visibility/query/ast.js';
import { parseQuery } from '../../../temporal-lite/visibility/query/parser.js';
import { expectVisibilityError } from './helpers/expect-error.js';

const where = (q: string) => parseQuery(q).where;
const str = (value: string) => ({ kind: 'string', value }) as const;
const cmp = (attr: string, operator: string, value: unknown): Condition => ({ kind: 'compare', attr, operator, value }) as Condition;

function rejects(query: string, message: string | RegExp) {
  expectVisibilityError(() => parseQuery(query), 'INVALID_ARGUMENT', message);
}

describe('list filter parser', () => {
  it('an empty or blank query has no condition and no order', () => {
    assert.deepEqual(parseQuery(''), { groupBy: [], orderBy: [] });
    assert.deepEqual(parseQuery('   \n\t'), { groupBy: [], orderBy: [] });
  });

  it('parses every comparison operator, with <> as !=', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) assert.deepEqual(where(`A ${op} 'x'`), cmp('A', op, str('x')));
    assert.deepEqual(where("A <> 'x'"), cmp('A', '!=', str('x')));
    assert.deepEqual(where("A='x'"), cmp('A', '=', str('x')), 'no spaces needed');
  });

  it('parses IN, NOT IN, BETWEEN, NOT BETWEEN, STARTS_WITH, NOT STARTS_WITH, LIKE, IS [NOT] NULL', () => {
    assert.deepEqual(where("A IN ('x', 'y')"), { kind: 'in', attr: 'A', negated: false, values: [str('x'), str('y')] });
    assert.deepEqual(where('A not in (1)'), { kind: 'in', attr: 'A', negated: true, values: [{ kind: 'int', value: 1n }] });
    assert.deepEqual(where('A BETWEEN 1 AND 2.5'), {
      kind: 'between',
      attr: 'A',
      negated: false,
      from: { kind: 'int', value: 1n },
      to: { kind: 'float', value: 2.5 },
    });
    assert.deepEqual(where("A NOT BETWEEN 'a' AND 'b'"), {
      kind: 'between',
      attr: 'A',
      negated: true,
      from: str('a'),
      to: str('b'),
    });
    assert.deepEqual(where("A STARTS_WITH 'p'"), cmp('A', 'starts_with', str('p')));
    assert.deepEqual(where("A not starts_with 'p'"), cmp('A', 'not starts_with', str('p')));
    assert.deepEqual(where("A LIKE 'p%'"), cmp('A', 'like', str('p%')));
    assert.deepEqual(where('A IS NULL'), { kind: 'isNull', attr: 'A', negated: false });
    assert.deepEqual(where('A is not null'), { kind: 'isNull', attr: 'A', negated: true });
  });

  it('AND binds tighter than OR, NOT tighter than AND; && and || are AND and OR', () => {
    const a = cmp('A', '=', { kind: 'int', value: 1n });
    const b = cmp('B', '=', { kind: 'int', value: 2n });
    const c = cmp('C', '=', { kind: 'int', value: 3n });
    assert.deepEqual(where('A = 1 OR B = 2 AND C = 3'), { kind: 'or', left: a, right: { kind: 'and', left: b, right: c } });
    assert.deepEqual(where('A = 1 AND B = 2 OR C = 3'), { kind: 'or', left: { kind: 'and', left: a, right: b }, right: c });
    assert.deepEqual(where('NOT A = 1 AND B = 2'), { kind: 'and', left: { kind: 'not', operand: a }, right: b });
    assert.deepEqual(where('A = 1 || B = 2 && C = 3'), where('A = 1 OR B = 2 AND C = 3'));
    assert.deepEqual(where('A = 1 AND B = 2 AND C = 3'), { kind: 'and', left: { kind: 'and', left: a, right: b }, right: c });
  });

  it('parentheses override precedence and may nest', () => {
    const a = cmp('A', '=', { kind: 'int', value: 1n });
    const b = cmp('B', '=', { kind: 'int', value: 2n });
    const c = cmp('C', '=', { kind: 'int', value: 3n });
    assert.deepEqual(where('(A = 1 OR B = 2) AND C = 3'), { kind: 'and', left: { kind: 'or', left: a, right: b }, right: c });
    assert.deepEqual(where('((A = 1))'), a);
    assert.deepEqual(where('NOT (A = 1 OR B = 2)'), { kind: 'not', operand: { kind: 'or', left: a, right: b } });
  });

  it('reads single, double and backslash-escaped strings and backtick names', () => {
    assert.deepEqual(where(`A = "it's"`), cmp('A', '=', str("it's")));
    assert.deepEqual(where(`A = 'it''s'`), cmp('A', '=', str("it's")));
    assert.deepEqual(where(`A = 'a\\'b\\\\c\\nd\\%'`), cmp('A', '=', str("a'b\\c\nd%")));
    assert.deepEqual(where(`A = "say ""hi"""`), cmp('A', '=', str('say "hi"')));
    assert.deepEqual(where("`Odd-Name` = 'x'"), cmp('Odd-Name', '=', str('x')));
    assert.deepEqual(where('`and` = 1'), cmp('and', '=', { kind: 'int', value: 1n }), 'backticks make a keyword a name');
    assert.deepEqual(where("A = 'Ünïcode ✓'"), cmp('A', '=', str('Ünïcode ✓')));
  });

  it('reads numbers: integers exactly, negatives, decimals, exponents; beyond int64 as double', () => {
    assert.deepEqual(where('A = 9223372036854775807'), cmp('A', '=', { kind: 'int', value: 9223372036854775807n }));
    assert.deepEqual(where('A = -9223372036854775808'), cmp('A', '=', { kind: 'int', value: -9223372036854775808n }));
    assert.deepEqual(where('A = 9223372036854775808'), cmp('A', '=', { kind: 'float', value: 9223372036854775808 }));
    assert.deepEqual(where('A = -1.5'), cmp('A', '=', { kind: 'float', value: -1.5 }));
    assert.deepEqual(where('A = .5'), cmp('A', '=', { kind: 'float', value: 0.5 }));
    assert.deepEqual(where('A = 1e3'), cmp('A', '=', { kind: 'float', value: 1000 }));
    assert.deepEqual(where('A = TRUE OR B = false'), {
      kind: 'or',
      left: cmp('A', '=', { kind: 'bool', value: true }),
      right: cmp('B', '=', { kind: 'bool', value: false }),
    });
  });

  it('parses ORDER BY and GROUP BY, with or without a condition', () => {
    assert.deepEqual(parseQuery("A = 'x' ORDER BY B DESC, C asc, D"), {
      where: cmp('A', '=', str('x')),
      groupBy: [],
      orderBy: [
        { attr: 'B', descending: true },
        { attr: 'C', descending: false },
        { attr: 'D', descending: false },
      ],
    });
    assert.deepEqual(parseQuery('order by `StartTime`'), { groupBy: [], orderBy: [{ attr: 'StartTime', descending: false }] });
    assert.deepEqual(parseQuery('GROUP BY ExecutionStatus'), { groupBy: ['ExecutionStatus'], orderBy: [] });
    assert.deepEqual(parseQuery('A = 1 group by X, Y').groupBy, ['X', 'Y']);
  });

  it('rejects malformed filters with the position and token of the error', () => {
    rejects("WorkflowId = 'a' AND", "invalid query: malformed SQL query: syntax error at position 21 near ''");
    rejects("(WorkflowId = 'a'", "invalid query: malformed SQL query: syntax error at position 18 near ''");
    rejects("WorkflowId = 'a')", "invalid query: malformed SQL query: syntax error at position 17 near ')'");
    rejects("WorkflowId == 'a'", "invalid query: malformed SQL query: syntax error at position 13 near '='");
    rejects("WorkflowId = 'abc", "invalid query: malformed SQL query: syntax error at position 18 near ''abc'");
    rejects('WorkflowId = 1 ORDER StartTime', /syntax error at position 30 near 'StartTime'/);
    rejects('WorkflowId IN ()', /syntax error at position 16 near '\)'/);
    rejects('WorkflowId = #', /syntax error at position 14 near '#'/);
    rejects("WorkflowId IS 'x'", /syntax error at position 17 near 'x'/);
    rejects('A BETWEEN 1 OR 2', /syntax error at position 14 near 'OR'/);
  });

  it('names the problem for values on the left, names on the right, bare names and LIMIT', () => {
    rejects("'x' = WorkflowId", 'invalid query: invalid expression: must be a column name but was a value');
    rejects(
      'WorkflowId = abc',
      'invalid query: operation is not supported: column name on the right side of comparison expression (did you forget to quote "abc"?)',
    );
    rejects('WorkflowId', 'invalid query: invalid expression: incomplete expression');
    rejects("WorkflowId AND RunId = 'x'", 'invalid query: invalid expression: incomplete expression');
    rejects('ORDER BY StartTime LIMIT 10', "invalid query: operation is not supported: 'LIMIT' clause");
  });
});
