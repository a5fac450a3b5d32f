// `--search-attribute NAME=TYPE` of `temporal-lite server start-dev` (as in `temporal server start-dev`).
import { invalidArgument } from './errors.js';
import { parseValueType, VALUE_TYPES, type ValueType } from './value-types.js';

export function parseSearchAttributeFlag(spec: string): { name: string; type: ValueType } {
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq).trim() : '';
  const type = eq > 0 ? parseValueType(spec.slice(eq + 1)) : undefined;
  if (!name || !type) {
    throw invalidArgument(`invalid search attribute '${spec}': expected NAME=TYPE with TYPE one of ${VALUE_TYPES.join(', ')}`);
  }
  return { name, type };
}
