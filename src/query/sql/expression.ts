import type { ArithmeticOperator, ComparisonOperator, ConstantValue, Expression, FunctionName } from '../ast.js';
import { ARITHMETIC_HUGE, ARITHMETIC_TINY, EXACT_INTEGER_LIMIT } from '../limits.js';
import type { Dialect, JsonRef, JsonType } from './dialect.js';
import { join, raw, sql, type Sql } from './fragment.js';

/**
 * What the compiler knows about an expression's value. Scalar kinds are SQL values that are NULL
 * when the expression is undefined; `json` is a document path whose type is only known per row.
 * `cheap` marks SQL small enough to repeat (a path or a constant): arithmetic guards mention their
 * operands several times, and repeating anything bigger would grow the SQL exponentially.
 */
type Compiled =
  { kind: 'undefined' | 'null' | 'array' } | { kind: 'boolean' | 'number' | 'string'; sql: Sql; cheap: boolean } | { kind: 'json'; ref: JsonRef; column?: Sql };

const SQL_OPERATOR: Record<ComparisonOperator, string> = { '=': '=', '!=': '<>', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
const TYPE_CHECKS: Partial<Record<FunctionName, JsonType[]>> = {
  IS_ARRAY: ['array'],
  IS_BOOL: ['boolean'],
  IS_NULL: ['null'],
  IS_NUMBER: ['number'],
  IS_OBJECT: ['object'],
  IS_STRING: ['string'],
  IS_PRIMITIVE: ['null', 'boolean', 'number', 'string'],
};

/**
 * Compiles query expressions to SQL over one document column with the semantics of the reference
 * evaluator: SQL NULL is "undefined", and SQL's three-valued AND/OR/NOT is exactly the language's.
 */
export class ExpressionCompiler {
  constructor(
    private readonly dialect: Dialect,
    private readonly document: Sql,
    /** Top-level document fields that are also (indexed) text columns: `deviceId` → device_id. */
    private readonly columns: ReadonlyMap<string, Sql> = new Map(),
  ) {}

  /** A WHERE condition: true, false or NULL (rows are kept only when it is true). */
  condition(expression: Expression): Sql {
    return this.asBoolean(this.compile(expression));
  }

  path(path: readonly string[]): JsonRef {
    return this.dialect.path(this.document, path);
  }

  private compile(e: Expression): Compiled {
    switch (e.type) {
      case 'constant':
        return this.constant(e.value);
      case 'path':
        return { kind: 'json', ref: this.path(e.path), column: e.path.length === 1 ? this.columns.get(e.path[0]) : undefined };
      case 'negate': {
        const operand = this.asNumber(this.compile(e.operand));
        return operand ? { kind: 'number', sql: sql`(-${operand.sql})`, cheap: operand.cheap } : { kind: 'undefined' };
      }
      case 'not':
        return this.boolean(sql`(NOT ${this.asBoolean(this.compile(e.operand))})`);
      case 'arithmetic':
        return this.arithmetic(e.operator, this.compile(e.left), this.compile(e.right));
      case 'comparison':
        return this.boolean(this.comparison(e.operator, this.compile(e.left), this.compile(e.right)));
      case 'logical':
        return this.boolean(
          this.balanced(
            e.operator,
            e.operands.map((operand) => this.condition(operand)),
          ),
        );
      case 'membership': {
        const member = this.membership(this.compile(e.operand), e.values);
        return this.boolean(e.negated ? sql`(NOT ${member})` : member);
      }
      case 'call':
        return this.boolean(
          this.call(
            e.name,
            e.args.map((arg) => this.compile(arg)),
          ),
        );
    }
  }

  private constant(value: ConstantValue): Compiled {
    if (value === undefined) return { kind: 'undefined' };
    if (value === null) return { kind: 'null' };
    if (Array.isArray(value)) return { kind: 'array' };
    if (typeof value === 'boolean') return this.boolean(value ? this.dialect.true : this.dialect.false);
    if (typeof value === 'number') return { kind: 'number', sql: this.dialect.number(value), cheap: true };
    return { kind: 'string', sql: this.dialect.string(value), cheap: true };
  }

  private boolean(value: Sql): Compiled {
    return { kind: 'boolean', sql: value, cheap: false };
  }

  private asBoolean(c: Compiled): Sql {
    if (c.kind === 'boolean') return c.sql;
    if (c.kind === 'json') return c.ref.boolean;
    return this.dialect.nullOf('boolean');
  }

  /** The operand as a double, or undefined when it can never be a number. */
  private asNumber(c: Compiled): { sql: Sql; cheap: boolean } | undefined {
    if (c.kind === 'number') return c;
    if (c.kind === 'json') return { sql: c.ref.number, cheap: true };
    return undefined;
  }

  private asString(c: Compiled): Sql | undefined {
    if (c.kind === 'string') return c.sql;
    if (c.kind === 'json') return c.ref.string;
    return undefined;
  }

  /** AND/OR chains as balanced trees: SQLite limits expression depth to 1000. */
  private balanced(operator: 'AND' | 'OR', operands: readonly Sql[]): Sql {
    if (operands.length === 1) return operands[0];
    const middle = Math.ceil(operands.length / 2);
    return sql`(${this.balanced(operator, operands.slice(0, middle))} ${raw(operator)} ${this.balanced(operator, operands.slice(middle))})`;
  }

  // ---- arithmetic: the guards restate evaluator-values.ts `arithmetic` with the same IEEE operations

  private arithmetic(operator: ArithmeticOperator, left: Compiled, right: Compiled): Compiled {
    const a = this.asNumber(left);
    const b = this.asNumber(right);
    if (!a || !b) return { kind: 'undefined' };
    if (a.cheap && b.cheap) return { kind: 'number', sql: this.guarded(operator, a.sql, b.sql), cheap: false };
    // Name the operands once in a correlated subquery so the guards can repeat them cheaply.
    const body = this.guarded(operator, raw('op.l'), raw('op.r'));
    const operands = sql`(SELECT ${a.sql} AS l, ${b.sql} AS r${this.dialect.planningFence}) AS op`;
    return { kind: 'number', sql: sql`(SELECT ${body} FROM ${operands})`, cheap: false };
  }

  private guarded(operator: ArithmeticOperator, a: Sql, b: Sql): Sql {
    const d = this.dialect;
    const huge = d.double(ARITHMETIC_HUGE);
    const tiny = d.double(ARITHMETIC_TINY);
    const absA = sql`abs(${a})`;
    const absB = sql`abs(${b})`;
    // CASE fixes the evaluation order, so a guard's own division never sees a zero or tiny divisor.
    const when = (test: Sql, otherwise: Sql) => sql`(CASE WHEN ${test} THEN ${d.true} ELSE ${otherwise} END)`;
    let guard: Sql;
    let result = sql`(${a} ${raw(operator)} ${b})`;
    switch (operator) {
      case '+':
      case '-':
        guard = sql`${absA} <= ${huge} AND ${absB} <= ${huge}`;
        break;
      case '*':
        guard = sql`${when(sql`${absB} <= 1`, sql`${absA} <= ${huge} / ${absB}`)} AND ${when(
          sql`${a} = 0 OR ${b} = 0 OR ${absB} >= 1`,
          sql`${absA} >= ${tiny} / ${absB}`,
        )}`;
        break;
      case '/':
        guard = sql`${b} <> 0 AND ${when(sql`${absB} >= 1`, sql`${absA} <= ${huge} * ${absB}`)} AND ${when(
          sql`${a} = 0 OR ${absB} <= 1`,
          sql`${absA} >= ${tiny} * ${absB}`,
        )}`;
        break;
      case '%': {
        const limit = d.double(EXACT_INTEGER_LIMIT);
        guard = sql`${b} <> 0 AND ${absA} <= ${limit} AND ${absB} <= ${limit} AND ${d.isIntegral(a)} AND ${d.isIntegral(b)}`;
        result = d.integerRemainder(a, b);
        break;
      }
    }
    return sql`CASE WHEN ${guard} THEN ${result} END`;
  }

  // ---- comparisons: only primitives of one type compare; null equals null

  private comparison(operator: ComparisonOperator, left: Compiled, right: Compiled): Sql {
    const d = this.dialect;
    const nullResult = operator === '=' || operator === '<=' || operator === '>=' ? d.true : d.false;
    const compare = (type: 'boolean' | 'number' | 'string', l: Sql, r: Sql) =>
      sql`(${type === 'string' ? d.collate(l) : l} ${raw(SQL_OPERATOR[operator])} ${r})`;
    if (left.kind === 'json' && right.kind === 'json') {
      const both = (type: JsonType) => sql`${left.ref.isType(type)} AND ${right.ref.isType(type)}`;
      return sql`COALESCE(${join(
        [
          compare('number', left.ref.number, right.ref.number),
          compare('string', left.ref.string, right.ref.string),
          compare('boolean', left.ref.boolean, right.ref.boolean),
          sql`CASE WHEN ${both('null')} THEN ${nullResult} END`,
        ],
        ', ',
      )})`;
    }
    if (left.kind === 'json' || right.kind === 'json') {
      const [json, other] = (left.kind === 'json' ? [left, right] : [right, left]) as [Extract<Compiled, { kind: 'json' }>, Compiled];
      const sides = (value: Sql, jsonSide: Sql): [Sql, Sql] => (left.kind === 'json' ? [jsonSide, value] : [value, jsonSide]);
      switch (other.kind) {
        case 'null':
          return sql`CASE WHEN ${json.ref.isType('null')} THEN ${nullResult} END`;
        case 'string':
          if (operator === '=' && json.column) return sql`(${json.column} = ${other.sql})`;
          return compare('string', ...sides(other.sql, json.ref.string));
        case 'number':
        case 'boolean':
          return compare(other.kind, ...sides(other.sql, json.ref[other.kind]));
        default:
          return d.nullOf('boolean');
      }
    }
    if (left.kind === 'null' && right.kind === 'null') return nullResult;
    if ((left.kind === 'boolean' || left.kind === 'number' || left.kind === 'string') && left.kind === right.kind) {
      return compare(left.kind, left.sql, (right as { sql: Sql }).sql);
    }
    return d.nullOf('boolean');
  }

  /** `x IN [..]`: true or false for primitives, NULL otherwise (so NIN is NULL too). */
  private membership(operand: Compiled, values: readonly ConstantValue[]): Sql {
    const d = this.dialect;
    const of = <T>(type: string) => values.filter((v): v is T & ConstantValue => typeof v === type) as T[];
    const numbers = of<number>('number').map((v) => d.number(v));
    const strings = of<string>('string').map((v) => d.string(v));
    const booleans = of<boolean>('boolean').map((v) => (v ? d.true : d.false));
    const hasNull = values.includes(null) ? d.true : d.false;
    const within = (value: Sql, list: Sql[]) =>
      list.length > 0 ? sql`(${value} IN (${join(list, ', ')}))` : sql`CASE WHEN ${value} IS NOT NULL THEN ${d.false} END`;
    switch (operand.kind) {
      case 'null':
        return hasNull;
      case 'boolean':
        return within(operand.sql, booleans);
      case 'number':
        return within(operand.sql, numbers);
      case 'string':
        return within(operand.sql, strings);
      case 'json':
        if (operand.column) return within(operand.column, strings);
        return sql`COALESCE(${join(
          [
            within(operand.ref.number, numbers),
            within(operand.ref.string, strings),
            within(operand.ref.boolean, booleans),
            sql`CASE WHEN ${operand.ref.isType('null')} THEN ${hasNull} END`,
          ],
          ', ',
        )})`;
      default:
        return d.nullOf('boolean');
    }
  }

  private call(name: FunctionName, args: Compiled[]): Sql {
    const d = this.dialect;
    const [first, second] = args;
    if (name === 'STARTSWITH' || name === 'ENDSWITH') {
      const text = this.asString(first);
      const affix = this.asString(second);
      if (!text || !affix) return d.nullOf('boolean');
      return name === 'STARTSWITH' ? d.startsWith(text, affix) : d.endsWith(text, affix);
    }
    // IS_DEFINED and the type checks are never undefined themselves.
    const types = name === 'IS_DEFINED' ? undefined : TYPE_CHECKS[name]!;
    switch (first.kind) {
      case 'json':
        return types
          ? sql`(${join(
              types.map((type) => first.ref.isType(type)),
              ' OR ',
            )})`
          : first.ref.defined;
      case 'undefined':
        return d.false;
      case 'null':
      case 'array':
        return !types || types.includes(first.kind) ? d.true : d.false;
      default:
        return !types || types.includes(first.kind) ? sql`(${first.sql} IS NOT NULL)` : d.false;
    }
  }
}
