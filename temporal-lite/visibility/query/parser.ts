// Recursive-descent parser of the list filter: [condition] [GROUP BY …] [ORDER BY …].
// Precedence as in MySQL: OR < AND < NOT < comparison.
import { invalidQuery } from '../errors.js';
import type { Condition, Literal, OrderTerm, ParsedQuery } from './ast.js';
import { syntaxError, tokenize, type Token } from './lexer.js';

const COMPARISONS = new Set(['=', '!=', '<>', '<', '<=', '>', '>=']);
const INT64_MAX = 2n ** 63n - 1n;

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.pos++;
    return token;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'keyword' && token.text === word;
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === symbol;
  }

  private fail(token = this.peek()): never {
    throw syntaxError(token.end, token.text);
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail();
    this.next();
  }

  private expectSymbol(symbol: string): void {
    if (!this.isSymbol(symbol)) this.fail();
    this.next();
  }

  parseQuery(): ParsedQuery {
    const query: ParsedQuery = { groupBy: [], orderBy: [] };
    if (this.peek().kind !== 'end' && !this.isKeyword('GROUP') && !this.isKeyword('ORDER')) {
      query.where = this.parseOr();
    }
    if (this.isKeyword('GROUP')) {
      this.next();
      this.expectKeyword('BY');
      query.groupBy = this.commaList(() => this.parseName());
    }
    if (this.isKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      query.orderBy = this.commaList(() => this.parseOrderTerm());
    }
    if (this.isKeyword('LIMIT')) throw invalidQuery("operation is not supported: 'LIMIT' clause");
    if (this.peek().kind !== 'end') this.fail();
    return query;
  }

  private commaList<T>(item: () => T): T[] {
    const items = [item()];
    while (this.isSymbol(',')) {
      this.next();
      items.push(item());
    }
    return items;
  }

  private parseOrderTerm(): OrderTerm {
    const attr = this.parseName();
    let descending = false;
    if (this.isKeyword('ASC') || this.isKeyword('DESC')) descending = this.next().text === 'DESC';
    return { attr, descending };
  }

  private parseName(): string {
    const token = this.peek();
    if (token.kind !== 'name') this.fail();
    this.next();
    return token.text;
  }

  private parseOr(): Condition {
    return this.parseChain('or', 'OR', '||', () => this.parseAnd());
  }

  private parseAnd(): Condition {
    return this.parseChain('and', 'AND', '&&', () => this.parseNot());
  }

  /** operand (keyword|symbol operand)*, left-associative. */
  private parseChain(kind: 'and' | 'or', keyword: string, symbol: string, operand: () => Condition): Condition {
    let left = operand();
    while (this.isKeyword(keyword) || this.isSymbol(symbol)) {
      this.next();
      left = { kind, left, right: operand() };
    }
    return left;
  }

  private parseNot(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', operand: this.parseNot() };
    }
    return this.parsePredicate();
  }

  private parsePredicate(): Condition {
    if (this.isSymbol('(')) {
      this.next();
      const inner = this.parseOr();
      this.expectSymbol(')');
      return inner;
    }
    const token = this.peek();
    if (token.kind === 'string' || token.kind === 'number' || this.isKeyword('TRUE') || this.isKeyword('FALSE') || this.isKeyword('NULL')) {
      this.parseLiteral();
      throw invalidQuery('invalid expression: must be a column name but was a value');
    }
    return this.parsePredicateTail(this.parseName());
  }

  private parsePredicateTail(attr: string): Condition {
    const token = this.peek();
    if (token.kind === 'symbol' && COMPARISONS.has(token.text)) {
      this.next();
      const operator = token.text === '<>' ? '!=' : (token.text as '=' | '!=' | '<' | '<=' | '>' | '>=');
      return { kind: 'compare', attr, operator, value: this.parseValue() };
    }
    if (this.isKeyword('IS')) {
      this.next();
      const negated = this.isKeyword('NOT');
      if (negated) this.next();
      this.expectKeyword('NULL');
      return { kind: 'isNull', attr, negated };
    }
    const negated = this.isKeyword('NOT');
    if (negated) this.next();
    if (this.isKeyword('IN')) {
      this.next();
      this.expectSymbol('(');
      const values = this.commaList(() => this.parseValue());
      this.expectSymbol(')');
      return { kind: 'in', attr, negated, values };
    }
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const from = this.parseValue();
      this.expectKeyword('AND');
      return { kind: 'between', attr, negated, from, to: this.parseValue() };
    }
    if (this.isKeyword('STARTS_WITH') || this.isKeyword('LIKE')) {
      const word = this.next().text === 'LIKE' ? 'like' : 'starts_with';
      const operator = negated ? (`not ${word}` as const) : word;
      return { kind: 'compare', attr, operator, value: this.parseValue() };
    }
    if (negated || !endsPredicate(token)) this.fail();
    throw invalidQuery('invalid expression: incomplete expression');
  }

  /** A value on the right of an operator; a bare name there is most likely a missing quote. */
  private parseValue(): Literal {
    const token = this.peek();
    if (token.kind === 'name') {
      this.next();
      throw invalidQuery(`operation is not supported: column name on the right side of comparison expression (did you forget to quote "${token.text}"?)`);
    }
    return this.parseLiteral();
  }

  private parseLiteral(): Literal {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'number') return numberLiteral(token.text, false);
    if (token.kind === 'symbol' && token.text === '-' && this.peek().kind === 'number') {
      return numberLiteral(this.next().text, true);
    }
    if (token.kind === 'keyword' && (token.text === 'TRUE' || token.text === 'FALSE')) return { kind: 'bool', value: token.text === 'TRUE' };
    if (token.kind === 'keyword' && token.text === 'NULL') return { kind: 'null' };
    return this.fail(token);
  }
}

/** Whether a bare name followed by this token is a whole (incomplete) predicate, not bad syntax. */
function endsPredicate(token: Token): boolean {
  if (token.kind === 'end') return true;
  if (token.kind === 'keyword') return ['AND', 'OR', 'ORDER', 'GROUP', 'LIMIT'].includes(token.text);
  return token.kind === 'symbol' && [')', '&&', '||'].includes(token.text);
}

/** Integers that fit int64 stay exact; anything else is a double (as the server's ParseInt/ParseFloat). */
function numberLiteral(text: string, negative: boolean): Literal {
  if (/^\d+$/.test(text)) {
    const value = negative ? -BigInt(text) : BigInt(text);
    if (value <= INT64_MAX && value >= -INT64_MAX - 1n) return { kind: 'int', value };
  }
  return { kind: 'float', value: (negative ? -1 : 1) * Number(text) };
}

export function parseQuery(query: string): ParsedQuery {
  return new Parser(tokenize(query)).parseQuery();
}
