// Tokens of Temporal's list filter, which the server parses as the WHERE/GROUP BY/ORDER BY part
// of a MySQL-dialect SELECT: 'single' and "double" quoted strings with backslash escapes and
// doubled quotes, `backtick` names, && and || for AND and OR, != and <> alike.
import { invalidQuery } from '../errors.js';

export type TokenKind = 'name' | 'keyword' | 'string' | 'number' | 'symbol' | 'end';

export interface Token {
  kind: TokenKind;
  /** Keyword (upper case), symbol, name, string content or number text. */
  text: string;
  /** Offset just past the token in the query, as the server's error positions count. */
  end: number;
}

const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
  'LIKE',
  'STARTS_WITH',
  'ORDER',
  'GROUP',
  'BY',
  'ASC',
  'DESC',
  'LIMIT',
]);

const SYMBOLS = ['<=', '>=', '!=', '<>', '&&', '||', '=', '<', '>', '(', ')', ',', '-'];

// MySQL string escapes; any other escaped character stands for itself.
const ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };

const NAME_START = /[A-Za-z_$]/;
const NAME_PART = /[A-Za-z0-9_$]/;
const NUMBER = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/;

export function syntaxError(position: number, near: string) {
  return invalidQuery(`malformed SQL query: syntax error at position ${position} near '${near}'`);
}

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const char = query[i];
    if (/\s/.test(char)) {
      i++;
    } else if (char === "'" || char === '"' || char === '`') {
      const [text, end] = quoted(query, i);
      tokens.push({ kind: char === '`' ? 'name' : 'string', text, end });
      i = end;
    } else if (NAME_START.test(char)) {
      let end = i + 1;
      while (end < query.length && NAME_PART.test(query[end])) end++;
      const word = query.slice(i, end);
      const upper = word.toUpperCase();
      tokens.push(KEYWORDS.has(upper) ? { kind: 'keyword', text: upper, end } : { kind: 'name', text: word, end });
      i = end;
    } else if (/[\d.]/.test(char) && NUMBER.test(query.slice(i))) {
      const text = NUMBER.exec(query.slice(i))![0];
      i += text.length;
      if (i < query.length && NAME_PART.test(query[i])) throw syntaxError(i + 1, query.slice(i - text.length, i + 1));
      tokens.push({ kind: 'number', text, end: i });
    } else {
      const symbol = SYMBOLS.find((candidate) => query.startsWith(candidate, i));
      if (!symbol) throw syntaxError(i + 1, char);
      i += symbol.length;
      tokens.push({ kind: 'symbol', text: symbol, end: i });
    }
  }
  tokens.push({ kind: 'end', text: '', end: query.length + 1 });
  return tokens;
}

/** Reads a quoted string or name starting at `start`; returns its content and end offset. */
function quoted(query: string, start: number): [string, number] {
  const delimiter = query[start];
  let out = '';
  let i = start + 1;
  while (i < query.length) {
    const char = query[i];
    if (char === '\\' && delimiter !== '`') {
      if (i + 1 >= query.length) break;
      const next = query[i + 1];
      out += ESCAPES[next] ?? next;
      i += 2;
    } else if (char === delimiter) {
      if (query[i + 1] !== delimiter) return [out, i + 1];
      out += char;
      i += 2;
    } else {
      out += char;
      i++;
    }
  }
  throw syntaxError(query.length + 1, query.slice(start));
}
