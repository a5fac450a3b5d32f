import type { JsonObject } from '../json.js';
import type { Twin } from '../model.js';
import { closeSection, openSection } from './document.js';
import { mergeTracked } from './merge.js';
import { assertSectionSize, validateTwinContent } from './validate.js';

/**
 * Merges a device's reported-properties patch (null deletes). Bumps reported `$version` and the root
 * version, never the etag (Azure docs, "Understand and use device twins in IoT Hub"). Invalid or oversized patches throw HubError('ArgumentInvalid').
 */
export function applyReportedPatch(twin: Twin, patch: unknown, now: string): Twin {
  validateTwinContent('reported', patch);
  const current = openSection(twin.properties.reported);
  const written = mergeTracked(current, patch as JsonObject, { $lastUpdated: now });
  assertSectionSize('reported', written.data);
  return {
    ...twin,
    version: twin.version + 1,
    properties: { desired: twin.properties.desired, reported: closeSection(written, current.version + 1) },
  };
}
