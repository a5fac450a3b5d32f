// Task tokens in Temporal server's own format, so that clients and tools that read them see
// what they would from Temporal: workflow and activity tasks are a temporal.server.api.token.v1.Task,
// query tasks a QueryTask (both from the server's proto/internal/temporal/server/api/token/v1/message.proto,
// declared here with the field numbers there). A token that does not decode, or lacks what names a
// task, is a client mistake (INVALID_ARGUMENT); one that decodes but names nothing current is NOT_FOUND.
import protobuf from 'protobufjs';
import { invalidArgument } from '../grpc/errors.js';

/** A workflow task or activity attempt: the run, the scheduled event and the attempt number. */
export interface AttemptToken {
  kind: 'workflow' | 'activity';
  namespaceId: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  scheduledEventId: number;
  startedEventId?: number;
  attempt: number;
  /** Activity tasks only. */
  activityId?: string;
  activityType?: string;
}

export interface QueryToken {
  kind: 'query';
  namespaceId: string;
  taskQueue: string;
  queryId: string;
}

export type TaskToken = AttemptToken | QueryToken;
type TokenOf<K extends TaskToken['kind']> = K extends 'query' ? QueryToken : AttemptToken & { kind: K };

const Task = new protobuf.Type('Task')
  .add(new protobuf.Field('namespaceId', 1, 'string'))
  .add(new protobuf.Field('workflowId', 2, 'string'))
  .add(new protobuf.Field('runId', 3, 'string'))
  .add(new protobuf.Field('scheduledEventId', 4, 'int64'))
  .add(new protobuf.Field('attempt', 5, 'int32'))
  .add(new protobuf.Field('activityId', 6, 'string'))
  .add(new protobuf.Field('workflowType', 7, 'string'))
  .add(new protobuf.Field('activityType', 8, 'string'))
  .add(new protobuf.Field('startedEventId', 10, 'int64'));

const QueryTask = new protobuf.Type('QueryTask')
  .add(new protobuf.Field('namespaceId', 1, 'string'))
  .add(new protobuf.Field('taskQueue', 2, 'string'))
  .add(new protobuf.Field('taskId', 3, 'string'));

new protobuf.Root().define('temporal.server.api.token.v1').add(Task).add(QueryTask);

const DECODED = { longs: Number, defaults: true } as const;

/** Generates the token codecs now rather than on the first task (grpc/proto.ts: prepareCodecs). */
export function prepareTokenCodecs(): void {
  Task.setup();
  QueryTask.setup();
}

export function encodeToken(token: TaskToken): Buffer {
  if (token.kind === 'query') {
    return Buffer.from(QueryTask.encode(QueryTask.fromObject({ namespaceId: token.namespaceId, taskQueue: token.taskQueue, taskId: token.queryId })).finish());
  }
  const { kind: _kind, ...fields } = token;
  return Buffer.from(Task.encode(Task.fromObject(fields)).finish());
}

const undecodable = (why: string) => invalidArgument(`Error deserializing task token: ${why}`);

function decodeFields(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  try {
    return type.toObject(type.decode(bytes), DECODED);
  } catch (err) {
    throw undecodable(err instanceof Error ? err.message : String(err));
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const integer = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** The token of a task of kind `expected`; INVALID_ARGUMENT if the bytes are not one. */
export function decodeToken<K extends TaskToken['kind']>(bytes: Uint8Array | null | undefined, expected: K): TokenOf<K>;
export function decodeToken(bytes: Uint8Array | null | undefined, expected: TaskToken['kind']): TaskToken {
  if (!bytes || bytes.length === 0) throw invalidArgument('Task token is not set on request.');
  if (expected === 'query') {
    const fields = decodeFields(QueryTask, bytes);
    if (!text(fields.taskId)) throw undecodable('not a query task token.');
    return { kind: 'query', namespaceId: text(fields.namespaceId), taskQueue: text(fields.taskQueue), queryId: text(fields.taskId) };
  }
  const fields = decodeFields(Task, bytes);
  const token: AttemptToken = {
    kind: expected,
    namespaceId: text(fields.namespaceId),
    workflowId: text(fields.workflowId),
    runId: text(fields.runId),
    workflowType: text(fields.workflowType),
    scheduledEventId: integer(fields.scheduledEventId),
    startedEventId: integer(fields.startedEventId) || undefined,
    attempt: integer(fields.attempt),
    activityId: text(fields.activityId) || undefined,
    activityType: text(fields.activityType) || undefined,
  };
  if (!token.runId || !token.workflowId || token.scheduledEventId <= 0) throw undecodable('it names no task.');
  // Only activity tasks carry an activity id.
  if ((expected === 'activity') !== (token.activityId !== undefined))
    throw undecodable(`not ${expected === 'activity' ? 'an activity' : 'a workflow'} task token.`);
  return token;
}
