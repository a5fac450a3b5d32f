// The parts of the protobufjs reflection (the JSON module @temporalio/proto ships) that the HTTP
// API reads: each field's kind for the proto3 JSON mapping, and each method's google.api.http rule.
import { createRequire } from 'node:module';

export interface ReflectedEnum {
  fullName: string;
  /** Member name → number. */
  values: Record<string, number>;
  /** Number → member name. */
  valuesById: Record<number, string>;
}

export interface ReflectedField {
  /** The name as the reflection keeps it: lowerCamelCase (the proto3 JSON name), snake_case for a few google types. */
  name: string;
  /** Scalar type name ('int64', 'bytes', …) or the referenced type's name. */
  type: string;
  repeated: boolean;
  map: boolean;
  /** For map fields: the key's scalar type. */
  keyType?: string;
  resolvedType: ReflectedType | ReflectedEnum | null;
}

export interface ReflectedType {
  /** With a leading dot: '.google.protobuf.Timestamp'. */
  fullName: string;
  fields: Record<string, ReflectedField>;
  fieldsArray: ReflectedField[];
  resolveAll(): ReflectedType;
  fromObject(object: unknown): object;
  toObject(message: object, options: object): Record<string, unknown>;
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
}

/** One google.api.http binding: a verb with its path template, and where the body goes. */
export interface HttpRule {
  get?: string;
  post?: string;
  put?: string;
  delete?: string;
  patch?: string;
  body?: string;
  additional_bindings?: HttpRule | HttpRule[];
}

export interface ReflectedMethod {
  name: string;
  requestStream?: boolean;
  responseStream?: boolean;
  resolvedRequestType: ReflectedType;
  resolvedResponseType: ReflectedType;
  parsedOptions?: Array<Record<string, unknown>> | null;
}

interface ReflectedService {
  methods: Record<string, ReflectedMethod>;
  resolveAll(): ReflectedService;
}

interface ReflectionRoot {
  lookupType(name: string): ReflectedType;
  lookupService(name: string): ReflectedService;
  resolveAll(): ReflectionRoot;
}

const require = createRequire(import.meta.url);
const jsonModule: ReflectionRoot = require('@temporalio/proto/protos/json-module.js');
let resolvedRoot: ReflectionRoot | undefined;
/** The root with every field's type resolved (once: the JSON mapping walks fields through resolvedType). */
const root = () => (resolvedRoot ??= jsonModule.resolveAll());

export function reflectedType(fullName: string): ReflectedType {
  return root().lookupType(fullName);
}

export function reflectedMethods(serviceName: string): ReflectedMethod[] {
  return Object.values(root().lookupService(serviceName).methods);
}

export const isEnum = (type: ReflectedField['resolvedType']): type is ReflectedEnum => !!type && 'values' in type && !('fields' in type);
export const isMessage = (type: ReflectedField['resolvedType']): type is ReflectedType => !!type && 'fields' in type;

const HTTP_RULE_OPTION = '(google.api.http)';

function isHttpRule(value: unknown): value is HttpRule {
  return typeof value === 'object' && value !== null && ['get', 'post', 'put', 'delete', 'patch'].some((verb) => verb in value);
}

/** The method's google.api.http rule, if it has one. */
export function httpRuleOf(method: ReflectedMethod): HttpRule | undefined {
  for (const option of method.parsedOptions ?? []) {
    const rule = option[HTTP_RULE_OPTION];
    if (isHttpRule(rule)) return rule;
  }
  return undefined;
}
