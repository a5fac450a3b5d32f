import type { JsonObject } from '../json.js';
import type { Twin, TwinServiceUpdate } from '../model.js';
import { closeSection, openSection, replacementPatch } from './document.js';
import { twinEtag, twinServiceWrites } from './etag.js';
import { mergeTracked, replaceTracked, type Tracked } from './merge.js';
import { assertSectionSize, validateTwinContent } from './validate.js';

export type TwinWriteMode = 'patch' | 'replace';

export interface ServiceUpdateResult {
  twin: Twin;
  /** The desired patch a connected device must receive (with its nulls), when desired changed. */
  desiredPatch?: JsonObject;
}

/** A patch with no keys changes nothing; a replacement always rewrites its section. */
const touches = (content: JsonObject | undefined, mode: TwinWriteMode): content is JsonObject =>
  content !== undefined && (mode === 'replace' || Object.keys(content).length > 0);

function writeSection(current: Tracked, content: JsonObject, mode: TwinWriteMode, stamp: Parameters<typeof mergeTracked>[2]) {
  return mode === 'patch' ? mergeTracked(current, content, stamp) : replaceTracked(content, stamp, current.meta !== undefined);
}

/**
 * Applies a service-side PATCH (merge, null deletes) or PUT (replace) of tags and/or desired
 * properties. Validates everything first and throws HubError('ArgumentInvalid') without changing
 * anything. Version rules (spec §4.3): each write bumps the service write count S (etag) and the
 * root version; desired `$version` moves only when desired is written. A no-op returns the twin as is.
 */
export function applyServiceUpdate(twin: Twin, update: TwinServiceUpdate, mode: TwinWriteMode, now: string): ServiceUpdateResult {
  if (update.tags !== undefined) validateTwinContent('tags', update.tags);
  if (update.desired !== undefined) validateTwinContent('desired', update.desired);
  const writesTags = touches(update.tags, mode);
  const writesDesired = touches(update.desired, mode);
  if (!writesTags && !writesDesired) return { twin };

  const tags = writesTags ? writeSection({ data: twin.tags }, update.tags!, mode, { $lastUpdated: now }).data : twin.tags;
  assertSectionSize('tags', tags);

  let desired = twin.properties.desired;
  let desiredPatch: JsonObject | undefined;
  if (writesDesired) {
    const current = openSection(desired);
    const version = current.version + 1;
    const written = writeSection(current, update.desired!, mode, { $lastUpdated: now, $lastUpdatedVersion: version });
    assertSectionSize('desired', written.data);
    desired = closeSection(written, version);
    desiredPatch = mode === 'patch' ? update.desired : replacementPatch(current.data, written.data);
  }

  const serviceWrites = twinServiceWrites(twin.etag) + 1;
  const reported = twin.properties.reported;
  return {
    twin: {
      ...twin,
      etag: twinEtag(serviceWrites),
      version: serviceWrites + reported.$version,
      tags,
      properties: { desired, reported },
    },
    desiredPatch,
  };
}
