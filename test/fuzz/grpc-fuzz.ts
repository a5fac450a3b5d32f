/**
 * temporal-lite's gRPC handlers under fuzzing (shared by the test and `npm run fuzz`): requests to
 * every WorkflowService method, built from the method's request type with random field values
 * (ids that exist or not, empty and odd strings, out-of-range numbers and enums, nested messages),
 * then sent as they are or with their bytes mutated (flipped, cut short, extended), through a
 * real gRPC client with a short deadline (long polls may run out). A handler may refuse anything,
 * with the status it chooses; INTERNAL or UNKNOWN (a handler that threw: a bug), UNAVAILABLE (the
 * server is gone) or a hang past the deadline's slack are failures.
 */
import { createRequire } from 'node:module';
import { credentials, Client as GrpcClient, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';

const require = createRequire(import.meta.url);

/** As much of protobufjs's reflection as the generator reads. */
interface ReflectedEnum {
  values: Record<string, number>;
}
interface ReflectedField {
  name: string;
  type: string;
  repeated: boolean;
  map: boolean;
  resolvedType: ReflectedType | ReflectedEnum | null;
}
interface ReflectedType {
  fullName: string;
  fieldsArray: ReflectedField[];
  fromObject(object: Record<string, unknown>): object;
  encode(message: object): { finish(): Uint8Array };
}
interface ReflectedMethod {
  name: string;
  requestStream?: boolean;
  responseStream?: boolean;
  resolvedRequestType: ReflectedType;
}
interface ReflectedService {
  methodsArray: ReflectedMethod[];
  resolveAll(): ReflectedService;
}

const SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';
const protoRoot: { resolveAll(): { lookupService(name: string): ReflectedService } } = require('@temporalio/proto/protos/json-module.js');

/** The unary methods of WorkflowService (every type resolved, so fields know their message and enum types). */
export const WORKFLOW_SERVICE_METHODS: readonly ReflectedMethod[] = protoRoot
  .resolveAll()
  .lookupService(SERVICE)
  .methodsArray.filter((method) => !method.requestStream && !method.responseStream);

const isMessage = (type: ReflectedField['resolvedType']): type is ReflectedType => type !== null && 'fieldsArray' in type;

const TEXT = fc.oneof(fc.constantFrom('default', 'fuzz-wf', 'fuzz-queue', 'nope', '', ' ', '\u0000', 'x'.repeat(300)), fc.string({ maxLength: 24 }));
const NUMBER = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer(), fc.constantFrom(2 ** 31 - 1, -(2 ** 31)));

const arbitraries = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

function scalar(field: ReflectedField): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'string':
      return TEXT;
    case 'bool':
      return fc.boolean();
    case 'bytes':
      return fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes));
    case 'double':
    case 'float':
      return fc.double({ noNaN: true });
    default:
      return NUMBER.map((n) => (field.type.startsWith('u') || field.type.startsWith('fixed') ? Math.abs(n) : n));
  }
}

function fieldArbitrary(field: ReflectedField, depth: number): fc.Arbitrary<unknown> | undefined {
  if (field.map) return undefined;
  const type = field.resolvedType;
  let one: fc.Arbitrary<unknown>;
  if (type === null) one = scalar(field);
  else if (isMessage(type)) {
    if (depth >= 2) return undefined;
    one = messageArbitrary(type, depth + 1);
  } else one = fc.oneof(fc.constantFrom(...Object.values(type.values)), fc.integer({ min: -1, max: 1000 }));
  return field.repeated ? fc.array(one, { maxLength: 2 }) : one;
}

/** Random objects of a message type: any subset of its fields, nested messages to depth 2. */
function messageArbitrary(type: ReflectedType, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const key = `${type.fullName}@${depth}`;
  let arbitrary = arbitraries.get(key);
  if (!arbitrary) {
    const fields: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of type.fieldsArray) {
      const fieldArb = fieldArbitrary(field, depth);
      if (fieldArb) fields[field.name] = fieldArb;
    }
    arbitrary = fc.record(fields, { requiredKeys: [] });
    arbitraries.set(key, arbitrary);
  }
  return arbitrary;
}

const mutation = fc.oneof(
  fc.constant((bytes: Buffer) => bytes),
  fc
    .nat()
    .map(
      (at) => (bytes: Buffer) =>
        bytes.length === 0
          ? bytes
          : Buffer.concat([bytes.subarray(0, at % bytes.length), Buffer.from([bytes[at % bytes.length]! ^ 0xff]), bytes.subarray((at % bytes.length) + 1)]),
    ),
  fc.nat().map((at) => (bytes: Buffer) => bytes.subarray(0, bytes.length === 0 ? 0 : at % bytes.length)),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((tail) => (bytes: Buffer) => Buffer.concat([bytes, Buffer.from(tail)])),
);

/** One fuzz case: a method, its request, and what is done to the bytes. */
const fuzzCase = fc
  .constantFrom(...WORKFLOW_SERVICE_METHODS)
  .chain((method) => fc.tuple(fc.constant(method), messageArbitrary(method.resolvedRequestType), mutation));

export interface GrpcFuzzReport {
  calls: number;
  /** Answers per status name. */
  codes: Record<string, number>;
  failures: string[];
}

const BAD = new Set<number>([status.INTERNAL, status.UNKNOWN, status.UNAVAILABLE]);
const DEADLINE_MS = 1000;

function call(client: GrpcClient, method: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/${SERVICE}/${method}`,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      body,
      new Metadata(),
      { deadline: Date.now() + DEADLINE_MS },
      (err: ServiceError | null) => resolve(err ? err.code : status.OK),
    );
  });
}

/** Runs `runs` cases against the temporal-lite at `address`, then checks it still answers. */
export async function runGrpcFuzz(address: string, runs: number, seed: number): Promise<GrpcFuzzReport> {
  const client = new GrpcClient(address, credentials.createInsecure());
  const report: GrpcFuzzReport = { calls: 0, codes: {}, failures: [] };
  try {
    await fc
      .assert(
        fc.asyncProperty(fuzzCase, async ([method, request, mutate]) => {
          const body = mutate(Buffer.from(method.resolvedRequestType.encode(method.resolvedRequestType.fromObject(request)).finish()));
          const started = Date.now();
          const code = await call(client, method.name, body);
          report.calls += 1;
          report.codes[status[code]] = (report.codes[status[code]] ?? 0) + 1;
          if (BAD.has(code) || Date.now() - started > DEADLINE_MS + 5000) {
            report.failures.push(`${method.name} → ${status[code]} after ${Date.now() - started} ms: ${body.toString('base64').slice(0, 200)}`);
            return false;
          }
          return true;
        }),
        { numRuns: runs, seed, endOnFailure: true },
      )
      .catch((err: unknown) => {
        if (report.failures.length === 0) report.failures.push(String(err));
      });
    const health = await call(client, 'GetSystemInfo', Buffer.alloc(0));
    if (health !== status.OK) report.failures.push(`GetSystemInfo after the fuzzing → ${status[health]}`);
    return report;
  } finally {
    client.close();
  }
}
