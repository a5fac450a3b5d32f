import type { Collection } from './ast.js';
import { invalidQuery } from './limits.js';

/** Words the parser gives a meaning; as property names they need the `[[word]]` escape. */
export const KEYWORDS = new Set(['SELECT', 'TOP', 'FROM', 'WHERE', 'GROUP', 'BY', 'AS', 'AND', 'OR', 'NOT', 'IN', 'NIN', 'TRUE', 'FALSE', 'NULL', 'UNDEFINED']);

export const isKeyword = (name: string): boolean => KEYWORDS.has(name.toUpperCase());

/**
 * A level of system-defined names. Names are matched case-insensitively and replaced by their
 * canonical casing; below a level without `children` (tags, desired/reported user keys, method
 * payloads) keys are user data and case-sensitive (twin keys are, Azure docs, "Understand and use device twins in IoT Hub").
 */
interface NameLevel {
  name: string;
  children?: ReadonlyMap<string, NameLevel>;
}

const level = (name: string, children?: NameLevel[], aliases: Record<string, string> = {}): NameLevel => {
  if (!children) return { name };
  const map = new Map(children.map((child) => [child.name.toLowerCase(), child]));
  for (const [alias, target] of Object.entries(aliases)) map.set(alias.toLowerCase(), map.get(target.toLowerCase())!);
  return { name, children: map };
};

const twinSection = (name: string) => level(name, [level('$metadata'), level('$version')]);

/** The twin document (Azure docs, "Understand and use device twins in IoT Hub"); modules twins have the same shape plus moduleId. */
const TWIN = level('', [
  ...[
    'deviceId',
    'moduleId',
    'etag',
    'deviceEtag',
    'status',
    'statusReason',
    'statusUpdateTime',
    'connectionState',
    'lastActivityTime',
    'cloudToDeviceMessageCount',
    'authenticationType',
    'modelId',
    'version',
    'deviceScope',
    'parentScopes',
  ].map((name) => level(name)),
  level('x509Thumbprint', [level('primaryThumbprint'), level('secondaryThumbprint')]),
  level('capabilities', [level('iotEdge')]),
  level('tags', []),
  level('properties', [twinSection('desired'), twinSection('reported')]),
]);

/** A `devices.jobs` record (Azure docs, "Schedule jobs on multiple devices"); the docs' `createdTimeUtc` is accepted for `createdDateTimeUtc`. */
const DEVICE_JOB = level(
  '',
  [
    ...['deviceId', 'moduleId', 'jobId', 'jobType', 'status', 'startTimeUtc', 'endTimeUtc', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc'].map((name) =>
      level(name),
    ),
    level('outcome', [level('deviceMethodResponse', [level('status'), level('payload', [])])]),
    level('error', [level('code'), level('description')]),
  ],
  { createdTimeUtc: 'createdDateTimeUtc' },
);

export const DEVICE_JOB_FIELDS = [...new Set(DEVICE_JOB.children!.values())].map((field) => field.name);

export interface NameSegment {
  text: string;
  pos: number;
}

function canonical(root: NameLevel, segments: readonly NameSegment[]): string[] {
  let current: NameLevel | undefined = root;
  return segments.map(({ text }) => {
    const known = current?.children?.get(text.toLowerCase());
    current = known;
    return known ? known.name : text;
  });
}

/**
 * The canonical, document-relative form of an attribute path as written in a query on `collection`.
 * On `devices.jobs` a path must be `devices.jobs.<record field>` (Azure docs, "Schedule jobs on multiple devices").
 */
export function resolvePath(collection: Collection, segments: readonly NameSegment[]): string[] {
  if (collection !== 'devices.jobs') return canonical(TWIN, segments);
  const [devices, jobs, field] = segments;
  const prefixed = devices?.text.toLowerCase() === 'devices' && jobs?.text.toLowerCase() === 'jobs';
  if (!prefixed || !field) {
    throw invalidQuery(
      `Queries on devices.jobs can only reference job record fields written devices.jobs.<field>; ` +
        `'${segments.map((s) => s.text).join('.')}' at position ${segments[0].pos} is not one`,
    );
  }
  if (!DEVICE_JOB.children!.has(field.text.toLowerCase())) {
    throw invalidQuery(`devices.jobs has no field '${field.text}' (position ${field.pos}); fields: ${DEVICE_JOB_FIELDS.join(', ')}`);
  }
  return canonical(DEVICE_JOB, segments.slice(2));
}
