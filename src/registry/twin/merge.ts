import { isJsonObject, ownValue, setOwn, type JsonObject } from '../json.js';

/** What every `$metadata` node touched by a write receives. Desired writes also carry the version. */
export interface MetadataStamp {
  $lastUpdated: string;
  $lastUpdatedVersion?: number;
}

/** A section's user content with its `$metadata` tree (absent for tags, which have none). */
export interface Tracked {
  data: JsonObject;
  meta?: JsonObject;
}

/** Drops `null` members at every object level: a value merged into nothing keeps no delete markers. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isJsonObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) setOwn(result, key, withoutNulls(child));
  return result;
}

/** The `$metadata` tree for a freshly written value: every object level and leaf gets the stamp. */
export function metadataFor(value: unknown, stamp: MetadataStamp): JsonObject {
  const node: JsonObject = { ...stamp };
  if (isJsonObject(value)) for (const [key, child] of Object.entries(value)) setOwn(node, key, metadataFor(child, stamp));
  return node;
}

/** Keeps a metadata node's children but gives it a new stamp (stamp keys first, as IoT Hub orders them). */
function restamp(meta: JsonObject | undefined, stamp: MetadataStamp): JsonObject {
  const node: JsonObject = { ...stamp };
  if (meta) for (const [key, child] of Object.entries(meta)) if (!key.startsWith('$')) setOwn(node, key, child);
  return node;
}

/**
 * JSON merge patch (RFC 7386, as IoT Hub applies PATCH and reported updates): new keys are added,
 * existing ones replaced, `null` deletes, objects merge recursively. When `meta` is given, every level
 * the patch passes through is re-stamped (so a parent's `$lastUpdated` moves when a child is deleted)
 * and replaced values get fresh metadata. Inputs are not modified.
 */
export function mergeTracked(current: Tracked, patch: JsonObject, stamp: MetadataStamp): Tracked {
  const data: JsonObject = { ...current.data };
  const meta = current.meta ? restamp(current.meta, stamp) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete data[key];
      if (meta) delete meta[key];
      continue;
    }
    const existing = ownValue(data, key);
    if (isJsonObject(value) && isJsonObject(existing)) {
      const childMeta = meta ? ownValue(meta, key) : undefined;
      const merged = mergeTracked({ data: existing, meta: meta ? (isJsonObject(childMeta) ? childMeta : {}) : undefined }, value, stamp);
      setOwn(data, key, merged.data);
      if (meta) setOwn(meta, key, merged.meta);
    } else {
      const fresh = withoutNulls(value);
      setOwn(data, key, fresh);
      if (meta) setOwn(meta, key, metadataFor(fresh, stamp));
    }
  }
  return { data, meta };
}

/** A wholesale replacement (PUT): the new content, with fresh metadata when tracked. */
export function replaceTracked(content: JsonObject, stamp: MetadataStamp, tracked: boolean): Tracked {
  const data = withoutNulls(content) as JsonObject;
  return { data, meta: tracked ? metadataFor(data, stamp) : undefined };
}
