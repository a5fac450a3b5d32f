// A workflow's search attributes (proto SearchAttributes.indexedFields): validation at start and
// upsert with the server's rules and wording, applying upserts, and decoding for the index.
import type { AttributeLookup } from './registry.js';
import { invalidArgument } from './errors.js';
import { BadValueError, decodeSearchAttributeValue, isUnsetPayload, type Payload, type SaValue } from './payload-values.js';
import type { SaValues } from './stored-values.js';

export type IndexedFields = Record<string, Payload>;

// Temporal's defaults (frontend.searchAttributesNumberOfKeysLimit / SizeOfValueLimit / TotalSizeLimit).
const MAX_KEYS = 100;
const MAX_VALUE_BYTES = 2 * 1024;
const MAX_TOTAL_BYTES = 40 * 1024;

function byteLength(bytes: Uint8Array | string | null | undefined): number {
  if (bytes == null) return 0;
  return typeof bytes === 'string' ? Buffer.from(bytes, 'base64').length : bytes.length;
}

function payloadSize(name: string, payload: Payload): number {
  const metadata = Object.entries(payload.metadata ?? {}).reduce((total, [key, value]) => total + key.length + byteLength(value), 0);
  return name.length + metadata + byteLength(payload.data);
}

/**
 * Checks search attributes a client or workflow wants to set and decodes them (null = unset).
 * Throws an INVALID_ARGUMENT VisibilityError naming the attribute and its expected type; the
 * core reports it as INVALID_ARGUMENT on start, or fails the workflow task on upsert.
 */
export function validateSearchAttributes(lookup: AttributeLookup, fields: IndexedFields | null | undefined): Map<string, SaValue | null> {
  const result = new Map<string, SaValue | null>();
  const entries = Object.entries(fields ?? {});
  if (entries.length > MAX_KEYS) {
    throw invalidArgument(`number of search attributes ${entries.length} exceeds limit ${MAX_KEYS}`);
  }
  let total = 0;
  for (const [name, payload] of entries) {
    const attr = lookup(name);
    if (!attr) throw invalidArgument(`search attribute ${name} is not defined`);
    if (attr.storage === 'column' || !attr.settable) {
      throw invalidArgument(`${name} attribute can't be set in SearchAttributes`);
    }
    const size = byteLength(payload?.data);
    if (size > MAX_VALUE_BYTES) {
      throw invalidArgument(`search attribute ${name} value size ${size} exceeds size limit ${MAX_VALUE_BYTES}`);
    }
    total += payloadSize(name, payload ?? {});
    try {
      result.set(name, decodeSearchAttributeValue(attr.type, payload ?? {}));
    } catch (err) {
      if (!(err instanceof BadValueError)) throw err;
      throw invalidArgument(`invalid value for search attribute ${name} of type ${attr.type}: ${err.shown}`);
    }
  }
  if (total > MAX_TOTAL_BYTES) {
    throw invalidArgument(`total size of search attributes ${total} exceeds size limit ${MAX_TOTAL_BYTES}`);
  }
  return result;
}

/**
 * The attributes after an UpsertWorkflowSearchAttributes: upserted payloads replace current ones;
 * a payload of null, [] or no data removes the attribute. Validate the upsert first.
 */
export function applySearchAttributeUpsert(current: IndexedFields | null | undefined, upsert: IndexedFields | null | undefined): IndexedFields {
  const merged: IndexedFields = { ...(current ?? {}) };
  for (const [name, payload] of Object.entries(upsert ?? {})) {
    if (isUnsetPayload(payload ?? {})) delete merged[name];
    else merged[name] = payload;
  }
  return merged;
}

/**
 * Decodes stored attributes for the index, skipping what no longer decodes (e.g. an attribute
 * removed since it was validated): writing the index must never fail the engine's transaction.
 */
export function decodeForIndex(lookup: AttributeLookup, fields: IndexedFields | null | undefined): SaValues {
  const values: SaValues = new Map();
  for (const [name, payload] of Object.entries(fields ?? {})) {
    const attr = lookup(name);
    if (!attr || attr.storage === 'column') continue;
    try {
      const value = decodeSearchAttributeValue(attr.type, payload ?? {});
      if (value) values.set(name, value);
    } catch (err) {
      if (!(err instanceof BadValueError)) throw err;
    }
  }
  return values;
}

/**
 * Adds metadata 'type' (the registered type) to payloads that lack it, as the server does before
 * returning attributes, so the SDK can decode them as typed search attributes.
 */
export function withTypeMetadata(lookup: AttributeLookup, fields: IndexedFields | null | undefined): IndexedFields {
  const out: IndexedFields = {};
  for (const [name, payload] of Object.entries(fields ?? {})) {
    const attr = lookup(name);
    const hasType = byteLength(payload?.metadata?.type) > 0;
    out[name] = attr && !hasType ? { ...payload, metadata: { ...(payload?.metadata ?? {}), type: Buffer.from(attr.type) } } : payload;
  }
  return out;
}
