import { HubError } from '../../errors/hub-error.js';
import { isJsonObject, utf8Length, type JsonObject } from '../json.js';
import { SECTION_LABEL, SECTION_PATH, TWIN_LIMITS, type TwinSectionName } from './limits.js';

const invalid = (message: string): HubError => new HubError('ArgumentInvalid', message);

// C0 and C1 control characters, DEL, any Unicode white space, and unpaired surrogates (not text:
// no UTF-8 encoding, and PostgreSQL's jsonb refuses them).
const FORBIDDEN_KEY_CHAR = /[\u0000-\u001f\u007f-\u009f.$\s\p{Surrogate}]/u;
const UNPAIRED_SURROGATE = /\p{Surrogate}/u;

function describeChar(ch: string): string {
  if (ch === '.' || ch === '$') return `'${ch}'`;
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function checkKey(key: string, parentPath: string): void {
  if (key.length === 0) throw invalid(`Empty property name in ${parentPath}: twin property names must not be empty`);
  const bytes = utf8Length(key);
  if (bytes > TWIN_LIMITS.keyBytes) {
    throw invalid(`Property name '${key.slice(0, 32)}…' in ${parentPath} is ${bytes} bytes long, more than the limit of ${TWIN_LIMITS.keyBytes} bytes`);
  }
  const bad = FORBIDDEN_KEY_CHAR.exec(key);
  if (bad) {
    throw invalid(
      `Property name '${key}' in ${parentPath} contains ${describeChar(bad[0])}: names may not contain '.', '$', white space, control characters or unpaired surrogates`,
    );
  }
}

/** `nesting` counts objects (maxNesting), `depth` arrays and objects (maxDepth). */
function checkValue(value: unknown, path: string, nesting: number, depth: number, inArray: boolean): void {
  if (value === null) {
    if (inArray) throw invalid(`Array element ${path} is null: arrays in twins may not contain null`);
    return;
  }
  switch (typeof value) {
    case 'boolean':
      return;
    case 'number':
      if (Number.isInteger(value) && (value < TWIN_LIMITS.minInteger || value > TWIN_LIMITS.maxInteger)) {
        throw invalid(`Value of ${path} (${value}) is outside the supported integer range ${TWIN_LIMITS.minInteger} to ${TWIN_LIMITS.maxInteger}`);
      }
      return;
    case 'string': {
      const bytes = utf8Length(value);
      if (bytes > TWIN_LIMITS.stringBytes) {
        throw invalid(`Value of ${path} is ${bytes} bytes long, more than the limit of ${TWIN_LIMITS.stringBytes} bytes for strings`);
      }
      if (value.includes('\u0000')) throw invalid(`Value of ${path} contains the character U+0000, which twin values may not contain`);
      if (UNPAIRED_SURROGATE.test(value)) throw invalid(`Value of ${path} contains an unpaired surrogate, which is not text and twin values may not contain`);
      return;
    }
    case 'object':
      if (depth >= TWIN_LIMITS.maxDepth) {
        throw invalid(`${path} nests arrays and objects more than ${TWIN_LIMITS.maxDepth} levels deep, the limit for twins`);
      }
      if (Array.isArray(value)) {
        value.forEach((element, index) => checkValue(element, `${path}[${index}]`, nesting, depth + 1, true));
        return;
      }
      if (nesting >= TWIN_LIMITS.maxNesting) {
        throw invalid(`${path} nests objects more than ${TWIN_LIMITS.maxNesting} levels deep, the limit for twins`);
      }
      checkObject(value as JsonObject, path, nesting + 1, depth + 1);
      return;
    default:
      throw invalid(`Value of ${path} has an unsupported type`);
  }
}

function checkObject(object: JsonObject, path: string, nesting: number, depth: number): void {
  for (const [key, value] of Object.entries(object)) {
    checkKey(key, path);
    checkValue(value, `${path}.${key}`, nesting, depth, false);
  }
}

/**
 * Checks a tags / desired / reported body (a patch or a replacement) against IoT Hub's key and value
 * rules. `null` is accepted as a value (it deletes the key when merged), except inside arrays.
 */
export function validateTwinContent(section: TwinSectionName, content: unknown): asserts content is JsonObject {
  const path = SECTION_PATH[section];
  if (!isJsonObject(content)) throw invalid(`${path} must be a JSON object`);
  checkObject(content, path, 0, 0);
}

// Strings without control characters (nearly all) are measured as they are, not copied first.
const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A section's size as IoT Hub counts it: keys and strings by UTF-8 length (control characters in
 * strings not counted), numbers 8 bytes, booleans 4, objects and arrays the sum of their contents.
 */
export function twinContentSize(value: unknown): number {
  if (typeof value === 'string') return utf8Length(CONTROL_CHAR.test(value) ? value.replace(CONTROL_CHARS, '') : value);
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 4;
  if (Array.isArray(value)) return value.reduce((sum: number, element) => sum + twinContentSize(element), 0);
  if (isJsonObject(value)) {
    let size = 0;
    for (const key of Object.keys(value)) size += utf8Length(key) + twinContentSize(value[key]);
    return size;
  }
  return 0;
}

/** Throws when a section's resulting content (without `$metadata`/`$version`) is over its limit. */
export function assertSectionSize(section: TwinSectionName, content: JsonObject): void {
  const size = twinContentSize(content);
  const limit = TWIN_LIMITS.sectionBytes[section];
  if (size > limit) {
    throw invalid(`Twin ${SECTION_LABEL[section]} would be ${size} bytes, more than the limit of ${limit} bytes`);
  }
}
