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

/**
 * What a section's update amounts to: `null` (remove every key) is a replacement by nothing,
 * whatever the request's mode; otherwise the content in the request's mode.
 */
function sectionWrite(content: JsonObject | null | undefined, mode: TwinWriteMode): { content: JsonObject; mode: TwinWriteMode } | undefined {
  if (content === undefined) return undefined;
  if (content === null) return { content: {}, mode: 'replace' };
  // A patch with no keys changes nothing; a replacement always rewrites its section.
  return mode === 'replace' || Object.keys(content).length > 0 ? { content, mode } : undefined;
}

function writeSection(current: Tracked, content: JsonObject, mode: TwinWriteMode, stamp: Parameters<typeof mergeTracked>[2]) {
  return mode === 'patch' ? mergeTracked(current, content, stamp) : replaceTracked(content, stamp, current.meta !== undefined);
}

/**
 * Applies a service-side PATCH (merge, null deletes) or PUT (replace) of tags and/or desired
 * properties. Validates everything first and throws HubError('ArgumentInvalid') without changing
 * anything. Version rules (IoT Hub's twin versioning): each write bumps the service write count S (etag) and the
 * root version; desired `$version` moves only when desired is written. A no-op returns the twin as is.
 * A section given as `null` loses all its keys (the device gets `null` for each removed desired key).
 */
export function applyServiceUpdate(twin: Twin, update: TwinServiceUpdate, mode: TwinWriteMode, now: string): ServiceUpdateResult {
  if (update.tags) validateTwinContent('tags', update.tags);
  if (update.desired) validateTwinContent('desired', update.desired);
  const tagsWrite = sectionWrite(update.tags, mode);
  const desiredWrite = sectionWrite(update.desired, mode);
  if (!tagsWrite && !desiredWrite) return { twin };

  const tags = tagsWrite ? writeSection({ data: twin.tags }, tagsWrite.content, tagsWrite.mode, { $lastUpdated: now }).data : twin.tags;
  assertSectionSize('tags', tags);

  let desired = twin.properties.desired;
  let desiredPatch: JsonObject | undefined;
  if (desiredWrite) {
    const current = openSection(desired);
    const version = current.version + 1;
    const written = writeSection(current, desiredWrite.content, desiredWrite.mode, { $lastUpdated: now, $lastUpdatedVersion: version });
    assertSectionSize('desired', written.data);
    desired = closeSection(written, version);
    desiredPatch = desiredWrite.mode === 'patch' ? desiredWrite.content : replacementPatch(current.data, written.data);
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
