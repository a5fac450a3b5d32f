import {
  AGGREGATE_NAMES,
  FUNCTION_NAMES,
  type AggregateName,
  type Collection,
  type ComparisonOperator,
  type ConstantValue,
  type Expression,
  type FunctionName,
  type LogicalOperator,
  type Query,
  type QueryCondition,
} from './ast.js';
import { describeToken, tokenize, type SymbolText, type Token } from './lexer.js';
import { invalidQuery, MAX_EXPRESSION_DEPTH, MAX_QUERY_LENGTH } from './limits.js';
import { isKeyword, resolvePath, type NameSegment } from './names.js';
import { buildQuery, type RawProjection } from './query-builder.js';

/** Parses `SELECT … FROM devices|devices.modules|devices.jobs [WHERE …] [GROUP BY …]` (Azure docs, "IoT Hub query language"). */
export function parseQuery(text: string): Query {
  return new Parser(text).query();
}

/**
 * Parses a job's `queryCondition` (Azure docs, "Schedule jobs on multiple devices"): a WHERE body, `*` for every device, or
 * `FROM devices[.modules] [WHERE …]`. A full SELECT statement is rejected.
 */
export function parseQueryCondition(text: string): QueryCondition {
  return new Parser(text).condition();
}

const COMPARISONS: ReadonlyMap<SymbolText, ComparisonOperator> = new Map([
  ['=', '='],
  ['!=', '!='],
  ['<>', '!='],
  ['<', '<'],
  ['>', '>'],
  ['<=', '<='],
  ['>=', '>='],
] as const);
const ARITY: Record<FunctionName, number> = {
  IS_DEFINED: 1,
  STARTSWITH: 2,
  ENDSWITH: 2,
  IS_ARRAY: 1,
  IS_BOOL: 1,
  IS_NULL: 1,
  IS_NUMBER: 1,
  IS_OBJECT: 1,
  IS_PRIMITIVE: 1,
  IS_STRING: 1,
};
/** Routing-query spellings that twin queries reject (Azure docs, "IoT Hub query language": twin queries are not message-routing queries); the message points at the right one. */
const FUNCTION_HINTS: Record<string, string> = { STARTS_WITH: 'STARTSWITH', ENDS_WITH: 'ENDSWITH' };
const CONSTANT_KEYWORDS: Record<string, ConstantValue> = { TRUE: true, FALSE: false, NULL: null, UNDEFINED: undefined };

const isOneOf = <T extends string>(values: readonly T[], value: string): value is T => (values as readonly string[]).includes(value);

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private nesting = 0;
  private collection: Collection = 'devices';
  private readonly depths = new WeakMap<Expression, number>();

  constructor(text: string) {
    if (text.length > MAX_QUERY_LENGTH && [...text].length > MAX_QUERY_LENGTH) {
      throw invalidQuery(`The query is longer than ${MAX_QUERY_LENGTH} characters`);
    }
    this.tokens = tokenize(text);
  }

  query(): Query {
    this.expectKeyword('SELECT');
    const top = this.acceptKeyword('TOP') ? this.top() : undefined;
    const select = this.acceptSymbol('*') ? '*' : this.projections();
    this.expectKeyword('FROM');
    this.collection = this.collectionName();
    const where = this.acceptKeyword('WHERE') ? this.expression() : undefined;
    let groupBy: { path: string[]; pos: number } | undefined;
    if (this.isKeyword('GROUP')) {
      const pos = this.next().pos;
      this.expectKeyword('BY');
      groupBy = { path: this.resolved(this.rawPath()), pos };
    }
    this.expectEnd();
    return buildQuery({ collection: this.collection, top, select, where, groupBy }, (raw) => this.resolved(raw));
  }

  condition(): QueryCondition {
    const first = this.peek();
    if (first.kind === 'end') throw invalidQuery('The query condition is empty; use * to target every device');
    if (this.isKeyword('SELECT')) {
      throw invalidQuery(
        'A job queryCondition is the body of a WHERE clause (for example "tags.floor = 3"), or * for every device; ' +
          'a full SELECT statement is not accepted',
      );
    }
    if (this.isSymbol('*') && this.peek(1).kind === 'end') return { collection: 'devices' };
    let collection: QueryCondition['collection'] = 'devices';
    let where: Expression | undefined;
    if (this.acceptKeyword('FROM')) {
      const name = this.collectionName();
      if (name === 'devices.jobs') throw invalidQuery(`A job queryCondition targets devices or devices.modules, not devices.jobs (position ${first.pos})`);
      this.collection = collection = name;
      if (this.acceptKeyword('WHERE')) where = this.expression();
    } else {
      where = this.expression();
    }
    this.expectEnd();
    return where === undefined ? { collection } : { collection, where };
  }

  // ---- clauses

  private top(): number {
    const token = this.next();
    if (token.kind !== 'number' || !Number.isSafeInteger(token.value) || /[.eE]/.test(token.raw)) {
      throw invalidQuery(`TOP needs a non-negative integer, found ${describeToken(token)} at position ${token.pos}`);
    }
    return token.value;
  }

  private projections(): RawProjection[] {
    const items: RawProjection[] = [];
    do items.push(this.projection());
    while (this.acceptSymbol(','));
    return items;
  }

  private projection(): RawProjection {
    const token = this.peek();
    let item: RawProjection;
    if (token.kind === 'name' && !token.escaped && this.isSymbol('(', this.peek(1))) {
      const name = token.text.toUpperCase();
      if (!isOneOf(AGGREGATE_NAMES, name)) {
        if (isOneOf(FUNCTION_NAMES, name)) {
          throw invalidQuery(`Only attribute paths and aggregates can be selected; found ${name}() at position ${token.pos}`);
        }
        throw this.unknownFunction(token);
      }
      item = this.aggregate(name);
    } else {
      item = { type: 'path', path: this.rawPath(), pos: token.pos };
    }
    if (this.acceptKeyword('AS')) item.alias = this.alias();
    return item;
  }

  private aggregate(name: AggregateName): RawProjection {
    const { pos } = this.next();
    this.next();
    if (name === 'COUNT') {
      if (!this.isSymbol(')')) throw invalidQuery(`COUNT() takes no argument (position ${this.peek().pos})`);
      this.next();
      return { type: 'aggregate', name, pos };
    }
    const path = this.rawPath();
    this.expectSymbol(')');
    return { type: 'aggregate', name, path, pos };
  }

  private alias(): string {
    const token = this.next();
    if (token.kind !== 'name') throw this.expected('a name after AS', token);
    if (!token.escaped && isKeyword(token.text)) throw this.reservedWord(token);
    return token.text;
  }

  private collectionName(): Collection {
    const token = this.peek();
    const fail = () => this.expected('devices, devices.modules or devices.jobs', this.peek());
    if (!this.isName('devices')) throw fail();
    this.next();
    if (!this.acceptSymbol('.')) return 'devices';
    if (this.isName('modules')) {
      this.next();
      return 'devices.modules';
    }
    if (this.isName('jobs')) {
      this.next();
      return 'devices.jobs';
    }
    throw token.kind === 'end' ? this.unexpected() : fail();
  }

  // ---- expressions, lowest precedence first: OR, AND, NOT, comparison/IN, + -, * / %, unary -

  private expression(): Expression {
    return this.or();
  }

  private or(): Expression {
    return this.logical('OR', () => this.and());
  }

  private and(): Expression {
    return this.logical('AND', () => this.not());
  }

  private logical(operator: LogicalOperator, operand: () => Expression): Expression {
    const first = operand();
    const operands = [first];
    let pos = this.peek().pos;
    while (this.isKeyword(operator)) {
      pos = this.next().pos;
      operands.push(operand());
    }
    if (operands.length === 1) return first;
    const flat = operands.flatMap((e) => (e.type === 'logical' && e.operator === operator ? e.operands : [e]));
    return this.node({ type: 'logical', operator, operands: flat }, flat, pos);
  }

  private not(): Expression {
    if (!this.isKeyword('NOT')) return this.comparison();
    const { pos } = this.next();
    const operand = this.nested(pos, () => this.not());
    return this.node({ type: 'not', operand }, [operand], pos);
  }

  private comparison(): Expression {
    let left = this.additive();
    while (true) {
      const token = this.peek();
      const operator = token.kind === 'symbol' ? COMPARISONS.get(token.text) : undefined;
      if (operator) {
        this.next();
        const right = this.additive();
        left = this.node({ type: 'comparison', operator, left, right }, [left, right], token.pos);
      } else if (this.isKeyword('IN') || this.isKeyword('NIN')) {
        this.next();
        const negated = token.kind === 'name' && token.text.toUpperCase() === 'NIN';
        if (!this.isSymbol('[')) {
          throw invalidQuery(`IN and NIN need an array constant such as ['a', 'b'] (position ${this.peek().pos})`);
        }
        const values = this.arrayConstant();
        left = this.node({ type: 'membership', negated, operand: left, values }, [left], token.pos);
      } else {
        return left;
      }
    }
  }

  private additive(): Expression {
    let left = this.multiplicative();
    while (this.isSymbol('+') || this.isSymbol('-')) {
      const token = this.next() as Extract<Token, { kind: 'symbol' }>;
      const right = this.multiplicative();
      left = this.node({ type: 'arithmetic', operator: token.text as '+' | '-', left, right }, [left, right], token.pos);
    }
    return left;
  }

  private multiplicative(): Expression {
    let left = this.unary();
    while (this.isSymbol('*') || this.isSymbol('/') || this.isSymbol('%')) {
      const token = this.next() as Extract<Token, { kind: 'symbol' }>;
      const right = this.unary();
      left = this.node({ type: 'arithmetic', operator: token.text as '*' | '/' | '%', left, right }, [left, right], token.pos);
    }
    return left;
  }

  private unary(): Expression {
    if (!this.isSymbol('-')) return this.primary();
    const { pos } = this.next();
    const operand = this.nested(pos, () => this.unary());
    // A negative number literal is a constant, not an operation.
    if (operand.type === 'constant' && typeof operand.value === 'number') return { type: 'constant', value: -operand.value };
    return this.node({ type: 'negate', operand }, [operand], pos);
  }

  private primary(): Expression {
    const token = this.peek();
    if (token.kind === 'number' || token.kind === 'string') {
      this.next();
      return { type: 'constant', value: token.value };
    }
    if (this.isSymbol('[')) return { type: 'constant', value: this.arrayConstant() };
    if (this.isSymbol('(')) {
      this.next();
      const inner = this.nested(token.pos, () => this.expression());
      this.expectSymbol(')');
      return inner;
    }
    if (token.kind !== 'name') throw this.unexpected();
    const word = token.text.toUpperCase();
    if (!token.escaped && Object.hasOwn(CONSTANT_KEYWORDS, word)) {
      this.next();
      return { type: 'constant', value: CONSTANT_KEYWORDS[word] };
    }
    if (!token.escaped && this.isSymbol('(', this.peek(1))) return this.call();
    return { type: 'path', path: this.resolved(this.rawPath()) };
  }

  private call(): Expression {
    const token = this.next() as Extract<Token, { kind: 'name' }>;
    this.next();
    const name = token.text.toUpperCase();
    if (isOneOf(AGGREGATE_NAMES, name)) {
      throw invalidQuery(`Aggregate ${name}() is only allowed in the SELECT list (position ${token.pos})`);
    }
    if (!isOneOf(FUNCTION_NAMES, name)) throw this.unknownFunction(token);
    const args: Expression[] = [];
    if (!this.acceptSymbol(')')) {
      this.nested(token.pos, () => {
        do args.push(this.expression());
        while (this.acceptSymbol(','));
      });
      this.expectSymbol(')');
    }
    if (args.length !== ARITY[name]) {
      const count = ARITY[name] === 1 ? '1 argument' : `${ARITY[name]} arguments`;
      throw invalidQuery(`Function ${name} takes ${count}, got ${args.length} (position ${token.pos})`);
    }
    return this.node({ type: 'call', name, args }, args, token.pos);
  }

  private arrayConstant(): ConstantValue[] {
    const open = this.next();
    return this.nested(open.pos, () => {
      const values: ConstantValue[] = [];
      if (this.acceptSymbol(']')) return values;
      do values.push(this.constant());
      while (this.acceptSymbol(','));
      this.expectSymbol(']');
      return values;
    });
  }

  private constant(): ConstantValue {
    const token = this.peek();
    if (this.isSymbol('-') && this.peek(1).kind === 'number') {
      this.next();
      return -(this.next() as Extract<Token, { kind: 'number' }>).value;
    }
    if (token.kind === 'number' || token.kind === 'string') {
      this.next();
      return token.value;
    }
    if (this.isSymbol('[')) return this.arrayConstant();
    const word = token.kind === 'name' && !token.escaped ? token.text.toUpperCase() : '';
    if (Object.hasOwn(CONSTANT_KEYWORDS, word)) {
      this.next();
      return CONSTANT_KEYWORDS[word];
    }
    throw invalidQuery(`Array constants can only contain constants; found ${describeToken(token)} at position ${token.pos}`);
  }

  private rawPath(): NameSegment[] {
    const first = this.next();
    if (first.kind !== 'name') throw this.unexpected(first);
    if (!first.escaped && isKeyword(first.text)) throw this.unexpected(first);
    const segments: NameSegment[] = [{ text: first.text, pos: first.pos }];
    while (this.acceptSymbol('.')) {
      const token = this.next();
      if (token.kind !== 'name') throw this.expected('a property name after "."', token);
      if (!token.escaped && isKeyword(token.text)) throw this.reservedWord(token);
      segments.push({ text: token.text, pos: token.pos });
    }
    return segments;
  }

  private resolved(segments: NameSegment[]): string[] {
    return resolvePath(this.collection, segments);
  }

  // ---- depth limits (each nested construct and each node is checked, so recursion stays bounded)

  private nested<T>(pos: number, parse: () => T): T {
    if (++this.nesting > MAX_EXPRESSION_DEPTH) throw this.tooDeep(pos);
    const result = parse();
    this.nesting -= 1;
    return result;
  }

  private node<T extends Expression>(expression: T, children: readonly Expression[], pos: number): T {
    const depth = 1 + Math.max(0, ...children.map((child) => this.depths.get(child) ?? 1));
    if (depth > MAX_EXPRESSION_DEPTH) throw this.tooDeep(pos);
    this.depths.set(expression, depth);
    return expression;
  }

  private tooDeep(pos: number) {
    return invalidQuery(`The query's expressions are nested more than ${MAX_EXPRESSION_DEPTH} levels deep (position ${pos})`);
  }

  // ---- tokens

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private isKeyword(word: string, token = this.peek()): boolean {
    return token.kind === 'name' && !token.escaped && token.text.toUpperCase() === word;
  }

  private isName(name: string): boolean {
    const token = this.peek();
    return token.kind === 'name' && !token.escaped && token.text.toLowerCase() === name;
  }

  private isSymbol(text: SymbolText, token = this.peek()): boolean {
    return token.kind === 'symbol' && token.text === text;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.next();
    return true;
  }

  private acceptSymbol(text: SymbolText): boolean {
    if (!this.isSymbol(text)) return false;
    this.next();
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.expected(word, this.peek());
  }

  private expectSymbol(text: SymbolText): void {
    if (!this.acceptSymbol(text)) throw this.expected(`'${text}'`, this.peek());
  }

  private expectEnd(): void {
    if (this.peek().kind !== 'end') throw this.unexpected();
  }

  private unexpected(token = this.peek()) {
    if (token.kind === 'end') return invalidQuery(`Unexpected end of query at position ${token.pos}`);
    return invalidQuery(`Unexpected token ${describeToken(token)} at position ${token.pos}`);
  }

  private expected(what: string, token: Token) {
    return invalidQuery(`Expected ${what} at position ${token.pos}, found ${describeToken(token)}`);
  }

  private reservedWord(token: Extract<Token, { kind: 'name' }>) {
    return invalidQuery(`'${token.text}' is a reserved word; write it as [[${token.text}]] (position ${token.pos})`);
  }

  private unknownFunction(token: Extract<Token, { kind: 'name' }>) {
    const hint = FUNCTION_HINTS[token.text.toUpperCase()];
    return invalidQuery(`Unknown function '${token.text}' at position ${token.pos}${hint ? `; use ${hint}` : ''}`);
  }
}
