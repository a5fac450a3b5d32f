import { parseIdentityKey } from '../registry/module/key.js';

/**
 * The IoT Hub MQTT topic names (IoT Hub's MQTT support, device and module topics): what a device may publish, and the topics the
 * hub publishes on a device's connection.
 */

/** A device-to-hub publish the hub understands, classified by topic. */
export type DevicePublish =
  { kind: 'methodResponse'; status: number; rid: string } | { kind: 'twinGet'; rid: string } | { kind: 'twinReported'; rid: string } | { kind: 'telemetry' };

const METHOD_RESPONSE_PREFIX = '$iothub/methods/res/';
const TWIN_GET_PATH = '$iothub/twin/GET';
const TWIN_REPORTED_PATH = '$iothub/twin/PATCH/properties/reported';

/** `devices/{deviceId}` or `devices/{deviceId}/modules/{moduleId}`: the identity's own topic tree. */
function topicRoot(key: string): string {
  const { deviceId, moduleId } = parseIdentityKey(key);
  return moduleId === undefined ? `devices/${deviceId}` : `devices/${deviceId}/modules/${moduleId}`;
}

/**
 * Classifies a topic published by the device or module with identity key `deviceId`; undefined for
 * topics it may not publish to.
 */
export function classifyDevicePublish(topic: string, deviceId: string): DevicePublish | undefined {
  const events = `${topicRoot(deviceId)}/messages/events`;
  if (topic.startsWith(events) && (topic.length === events.length || topic[events.length] === '/')) {
    return { kind: 'telemetry' };
  }
  if (!topic.startsWith('$iothub/')) return undefined;

  const queryAt = topic.indexOf('?');
  if (queryAt < 0) return undefined;
  const path = stripTrailingSlash(topic.slice(0, queryAt));
  const rid = ridOf(topic.slice(queryAt + 1));
  if (!rid) return undefined;

  if (path === TWIN_GET_PATH) return { kind: 'twinGet', rid };
  if (path === TWIN_REPORTED_PATH) return { kind: 'twinReported', rid };
  if (path.startsWith(METHOD_RESPONSE_PREFIX)) {
    const statusText = path.slice(METHOD_RESPONSE_PREFIX.length);
    if (!/^-?\d{1,9}$/.test(statusText)) return undefined;
    return { kind: 'methodResponse', status: Number(statusText), rid };
  }
  return undefined;
}

/**
 * The `$rid` of a topic's query: the SDKs send it alone, unescaped; anything else is parsed in full.
 * The answer's topic repeats it as `$rid={rid}`, so a rid that would read back differently from there
 * (e.g. `%26` decoded to `&`), or that no topic name may contain (a wildcard or U+0000: `%23`, `%00`,
 * [MQTT-3.3.2-2, MQTT-1.5.3-2]), is not a request the hub can answer.
 */
function ridOf(query: string): string | null {
  if (query.startsWith('$rid=') && !/[&%+]/.test(query)) return query.slice('$rid='.length);
  const rid = new URLSearchParams(query).get('$rid');
  return rid !== null && !/[#\u0000]/.test(rid) && new URLSearchParams(`$rid=${rid}`).get('$rid') === rid ? rid : null;
}

/**
 * A device may subscribe to the `$iothub/` tree (the hub only ever publishes those topics on the
 * device's own connection) and to its own `devices/{id}/` tree; nothing else.
 */
export function isSubscriptionAllowed(filter: string, deviceId: string): boolean {
  return filter.startsWith('$iothub/') || filter.startsWith(`${topicRoot(deviceId)}/`);
}

export const METHODS_SUBSCRIPTION = '$iothub/methods/POST/#';
export const DESIRED_SUBSCRIPTION = '$iothub/twin/PATCH/properties/desired/#';

export const methodRequestTopic = (methodName: string, rid: string): string => `$iothub/methods/POST/${methodName}/?$rid=${rid}`;

export const twinResponseTopic = (status: number, rid: string, version?: number): string =>
  `$iothub/twin/res/${status}/?$rid=${rid}${version === undefined ? '' : `&$version=${version}`}`;

export const desiredPatchTopic = (version: number): string => `$iothub/twin/PATCH/properties/desired/?$version=${version}`;

/** MQTT 3.1.1 topic-filter matching (`+` one level, `#` the rest), for checking subscriptions. */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function stripTrailingSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}
