import { HubError } from '../../errors/hub-error.js';
import { parseQueryCondition } from '../../query/index.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { validateTwinContent } from '../twin/validate.js';

/** An automatic device configuration (IoT Hub's automatic device management), as the service API shows it. */
export interface Configuration {
  id: string;
  schemaVersion: string;
  labels: Record<string, string>;
  content: { deviceContent?: JsonObject; moduleContent?: JsonObject };
  contentType: string;
  targetCondition: string;
  createdTimeUtc: string;
  lastUpdatedTimeUtc: string;
  priority: number;
  systemMetrics: ConfigurationMetrics;
  metrics: ConfigurationMetrics;
  etag: string;
}

export interface ConfigurationMetrics {
  results: Record<string, number>;
  queries: Record<string, string>;
}

/** What a client gives when creating or replacing a configuration. */
export interface ConfigurationInput {
  id: string;
  labels?: Record<string, string>;
  content?: { deviceContent?: JsonObject; moduleContent?: JsonObject; modulesContent?: JsonObject };
  targetCondition?: string;
  priority?: number;
  metrics?: { queries?: Record<string, string> };
}

// IoT Hub: up to 128 lowercase ASCII letters, digits and - : + % _ # * ? ! ( ) , = @ ; '
const CONFIGURATION_ID = /^[a-z0-9\-:+%_#*?!(),=@;']{1,128}$/;
const LABEL = /^[A-Za-z0-9\-:.+%_#*?!(),=@;']{1,128}$/;
const DESIRED_PATH = /^properties\.desired(\.[^.$\s]+)+$/;
const invalid = (message: string) => new HubError('ArgumentInvalid', message);

export function validateConfigurationId(id: string): void {
  if (!CONFIGURATION_ID.test(id)) {
    throw invalid(`Invalid configuration id '${id.slice(0, 130)}': use 1 to 128 lowercase letters, digits and - : + % _ # * ? ! ( ) , = @ ; '`);
  }
}

/**
 * The desired-properties patch a content section stands for: `{"properties.desired.a.b": v}` sets
 * `desired.a.b` to v (as IoT Hub applies `deviceContent` / `moduleContent` to the twins it targets).
 */
export function desiredPatchOf(content: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [path, value] of Object.entries(content)) {
    const keys = path.split('.').slice(2);
    let node = patch;
    for (const key of keys.slice(0, -1)) {
      const child = node[key];
      node = isJsonObject(child) ? child : (node[key] = {});
    }
    node[keys.at(-1)!] = value;
  }
  return patch;
}

function checkContent(content: ConfigurationInput['content']): Configuration['content'] {
  if (content?.modulesContent && Object.keys(content.modulesContent).length > 0) {
    throw invalid('content.modulesContent (IoT Edge deployments) is not supported by this hub: use deviceContent or moduleContent');
  }
  const sections = (['deviceContent', 'moduleContent'] as const).filter((name) => content?.[name] && Object.keys(content[name]!).length > 0);
  if (sections.length !== 1) throw invalid('A configuration needs exactly one of content.deviceContent and content.moduleContent');
  const name = sections[0]!;
  const section = content![name]!;
  for (const path of Object.keys(section)) {
    if (!DESIRED_PATH.test(path)) throw invalid(`content.${name} key '${path}' must be a path under properties.desired, e.g. properties.desired.settings`);
  }
  validateTwinContent('desired', desiredPatchOf(section));
  return { [name]: section };
}

function checkQueries(queries: Record<string, string> | undefined): Record<string, string> {
  for (const [name, text] of Object.entries(queries ?? {})) {
    if (!LABEL.test(name)) throw invalid(`Invalid metric name '${name}'`);
    if (typeof text !== 'string' || !/^\s*select\s/i.test(text)) throw invalid(`metrics.queries.${name} must be a query (SELECT … FROM devices …)`);
  }
  return { ...queries };
}

/**
 * A new configuration or a replacement of `current` (content is immutable after creation, as in
 * IoT Hub; target condition, priority, labels and metric queries may change). Throws
 * ArgumentInvalid for anything malformed, including a target condition that does not parse.
 */
export function buildConfiguration(input: ConfigurationInput, current: Configuration | undefined, now: string, etag: string): Configuration {
  validateConfigurationId(input.id);
  for (const [key, value] of Object.entries(input.labels ?? {})) {
    if (!LABEL.test(key) || typeof value !== 'string' || value.length > 128) throw invalid(`Invalid label '${key}': keys and values up to 128 characters`);
  }
  const priority = input.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > 2 ** 31 - 1) throw invalid('priority must be a whole number from 0');
  const targetCondition = input.targetCondition?.trim() || '';
  if (targetCondition !== '') {
    const condition = parseQueryCondition(targetCondition);
    if (condition.collection !== 'devices' && condition.collection !== 'devices.modules')
      throw invalid('targetCondition must target devices or devices.modules');
  }
  const content = current ? current.content : checkContent(input.content);
  if (current && input.content && JSON.stringify(checkContent(input.content)) !== JSON.stringify(current.content)) {
    throw invalid(`The content of configuration '${input.id}' cannot be changed: create a new configuration`);
  }
  return {
    id: input.id,
    schemaVersion: '1.0',
    labels: { ...input.labels },
    content,
    contentType: 'assignment',
    targetCondition,
    createdTimeUtc: current?.createdTimeUtc ?? now,
    lastUpdatedTimeUtc: now,
    priority,
    systemMetrics: { results: {}, queries: {} },
    metrics: { results: {}, queries: checkQueries(input.metrics?.queries) },
    etag,
  };
}

/** Whether `a` wins over `b` on a device both target: higher priority, then the later created. */
export const outranks = (
  a: Pick<Configuration, 'priority' | 'createdTimeUtc' | 'id'>,
  b: Pick<Configuration, 'priority' | 'createdTimeUtc' | 'id'>,
): boolean => (a.priority !== b.priority ? a.priority > b.priority : a.createdTimeUtc !== b.createdTimeUtc ? a.createdTimeUtc > b.createdTimeUtc : a.id > b.id);
