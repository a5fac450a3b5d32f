import { invalidQuery } from './limits.js';

// Two-character symbols first: the lexer takes the first one that matches.
export const SYMBOLS = ['!=', '<>', '<=', '>=', '(', ')', '[', ']', ',', '.', '*', '+', '-', '/', '%', '=', '<', '>'] as const;
export type SymbolText = (typeof SYMBOLS)[number];

/** Positions are 1-based character offsets into the query text, as reported in error messages. */
export type Token =
  | { kind: 'name'; text: string; escaped: boolean; pos: number }
  | { kind: 'number'; value: number; raw: string; pos: number }
  | { kind: 'string'; value: string; raw: string; pos: number }
  | { kind: 'symbol'; text: SymbolText; pos: number }
  | { kind: 'end'; pos: number };

const NUMBER = /0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[\p{L}_$][\p{L}\p{N}_$]*/uy;
const NAME_CHAR = /[\p{L}\p{N}_$.]/u;
const WHITESPACE = /\s+/y;
const SIMPLE_ESCAPES: Record<string, string> = {
  "'": "'",
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of query';
    case 'name':
      return token.escaped ? `'[[${token.text}]]'` : `'${token.text}'`;
    case 'symbol':
      return `'${token.text}'`;
    default:
      return `'${token.raw}'`;
  }
}

/**
 * Splits query text into tokens. `[[name]]` (the escape for reserved words, e.g. `tags.[[group]]`)
 * is only recognised after `.` or `AS`; elsewhere `[[` opens a nested array constant.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = i;
    return pattern.exec(text)?.[0];
  };
  const escapeAllowed = (): boolean => {
    const last = tokens.at(-1);
    if (!last) return false;
    return (last.kind === 'symbol' && last.text === '.') || (last.kind === 'name' && !last.escaped && last.text.toUpperCase() === 'AS');
  };

  while (true) {
    i += at(WHITESPACE)?.length ?? 0;
    const pos = i + 1;
    if (i >= text.length) {
      tokens.push({ kind: 'end', pos });
      return tokens;
    }
    const char = text[i];
    if (char === "'" || char === '"') {
      const { value, end } = readString(text, i);
      checkStorable(value, 'string', pos);
      tokens.push({ kind: 'string', value, raw: text.slice(i, end), pos });
      i = end;
    } else if (text.startsWith('[[', i) && escapeAllowed()) {
      let close = text.indexOf(']]', i + 2);
      if (close < 0) throw invalidQuery(`Unterminated [[ escape at position ${pos}`);
      // The escape ends at the last of a run of ']', so names may end in ']' (e.g. [[a[0]]]).
      while (text[close + 2] === ']') close += 1;
      const name = text.slice(i + 2, close);
      if (name.length === 0) throw invalidQuery(`Empty [[ ]] escape at position ${pos}`);
      checkStorable(name, 'name', pos);
      tokens.push({ kind: 'name', text: name, escaped: true, pos });
      i = close + 2;
    } else if (/\d/.test(char)) {
      const raw = at(NUMBER)!;
      const next = text[i + raw.length];
      if (next !== undefined && NAME_CHAR.test(next)) {
        throw invalidQuery(`Invalid number '${text.slice(i, i + raw.length + 1)}' at position ${pos}`);
      }
      const value = raw.length > 2 && /^0x/i.test(raw) ? Number.parseInt(raw.slice(2), 16) : Number(raw);
      if (!Number.isFinite(value)) throw invalidQuery(`Number '${raw}' is out of range at position ${pos}`);
      tokens.push({ kind: 'number', value, raw, pos });
      i += raw.length;
    } else {
      const name = at(IDENTIFIER);
      if (name !== undefined) {
        tokens.push({ kind: 'name', text: name, escaped: false, pos });
        i += name.length;
        continue;
      }
      const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
      if (symbol === undefined) throw invalidQuery(`Unexpected character '${String.fromCodePoint(text.codePointAt(i)!)}' at position ${pos}`);
      tokens.push({ kind: 'symbol', text: symbol, pos });
      i += symbol.length;
    }
  }
}

// U+0000 and unpaired surrogates: PostgreSQL cannot take them as text and SQLite's JSON functions
// read them differently, and no stored document contains them (twin and identity validation).
const UNSTORABLE = /[\u0000\p{Surrogate}]/u;

function checkStorable(value: string, what: 'string' | 'name', pos: number): void {
  const bad = UNSTORABLE.exec(value);
  if (!bad) return;
  const char = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  throw invalidQuery(`The ${what} at position ${pos} contains ${char}, which this hub does not support in queries`);
}

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === quote) return { value, end: i + 1 };
    if (char !== '\\') {
      value += char;
      i += 1;
      continue;
    }
    const code = text[i + 1];
    if (code === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw invalidQuery(`Invalid escape sequence '\\u${hex}' at position ${i + 1}`);
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
    } else if (code !== undefined && Object.hasOwn(SIMPLE_ESCAPES, code)) {
      value += SIMPLE_ESCAPES[code];
      i += 2;
    } else {
      throw invalidQuery(`Invalid escape sequence '\\${code ?? ''}' at position ${i + 1}`);
    }
  }
  throw invalidQuery(`Unterminated string starting at position ${start + 1}`);
}
