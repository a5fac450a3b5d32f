/** Twin limits of IoT Hub (Azure docs, "Understand and use device twins in IoT Hub"). */
export const TWIN_LIMITS = {
  keyBytes: 1024,
  stringBytes: 4096,
  /** Objects may nest this many levels below a section's top level (IoT Hub and Edge Hub: 10). */
  maxNesting: 10,
  /**
   * Arrays and objects together may nest this many levels below a section's top level: arrays do not
   * count towards maxNesting, and without a bound a device could store a twin too deep for SQLite's
   * JSON functions (1000 levels), breaking every later write and query of that twin.
   */
  maxDepth: 64,
  minInteger: -4503599627370496, // -2^52
  maxInteger: 4503599627370495, // 2^52 - 1
  sectionBytes: { tags: 8 * 1024, desired: 32 * 1024, reported: 32 * 1024 },
} as const;

export type TwinSectionName = keyof typeof TWIN_LIMITS.sectionBytes;

/** Where a section lives in the twin document; used to name the offending key in messages. */
export const SECTION_PATH: Record<TwinSectionName, string> = {
  tags: 'tags',
  desired: 'properties.desired',
  reported: 'properties.reported',
};

export const SECTION_LABEL: Record<TwinSectionName, string> = {
  tags: 'tags',
  desired: 'desired properties',
  reported: 'reported properties',
};
