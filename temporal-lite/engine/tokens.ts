// Task tokens: opaque to workers. Binary: a kind byte, then for workflow and activity tasks the
// scheduled event id and attempt (uint32 each) and the run id, for queries the query id. A token
// that does not parse is a client mistake (INVALID_ARGUMENT); one that parses but names nothing
// current is NOT_FOUND.
import { invalidArgument } from '../grpc/errors.js';

/** A workflow task or activity attempt: the run, the scheduled event and the attempt number. */
export interface AttemptToken {
  kind: 'workflow' | 'activity';
  runId: string;
  scheduledEventId: number;
  attempt: number;
}

export interface QueryToken {
  kind: 'query';
  queryId: string;
}

export type TaskToken = AttemptToken | QueryToken;
type TokenOf<K extends TaskToken['kind']> = K extends 'query' ? QueryToken : AttemptToken & { kind: K };

const KIND_BYTE = { workflow: 0x71, activity: 0x72, query: 0x73 } as const;
const KIND_NAME = { workflow: 'a workflow', activity: 'an activity', query: 'a query' } as const;
const TASK_HEADER = 9; // kind, scheduled event id, attempt

export function encodeToken(token: TaskToken): Buffer {
  if (token.kind === 'query') return Buffer.concat([Buffer.of(KIND_BYTE.query), Buffer.from(token.queryId, 'utf8')]);
  const header = Buffer.allocUnsafe(TASK_HEADER);
  header[0] = KIND_BYTE[token.kind];
  header.writeUInt32BE(token.scheduledEventId, 1);
  header.writeUInt32BE(token.attempt, 5);
  return Buffer.concat([header, Buffer.from(token.runId, 'utf8')]);
}

function kindOf(byte: number | undefined): TaskToken['kind'] | undefined {
  if (byte === KIND_BYTE.workflow) return 'workflow';
  if (byte === KIND_BYTE.activity) return 'activity';
  if (byte === KIND_BYTE.query) return 'query';
  return undefined;
}

const notOurs = () => invalidArgument('Error deserializing task token: not a temporal-lite task token.');

/** The token of a task of kind `expected`; INVALID_ARGUMENT if the bytes are not one. */
export function decodeToken<K extends TaskToken['kind']>(bytes: Uint8Array | null | undefined, expected: K): TokenOf<K>;
export function decodeToken(bytes: Uint8Array | null | undefined, expected: TaskToken['kind']): TaskToken {
  if (!bytes || bytes.length === 0) throw invalidArgument('Task token is not set on request.');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = kindOf(buffer[0]);
  if (!kind) throw notOurs();
  if (kind !== expected) throw invalidArgument(`Error deserializing task token: not ${KIND_NAME[expected]} task token.`);
  if (kind === 'query') return { kind, queryId: buffer.toString('utf8', 1) };
  if (buffer.length <= TASK_HEADER) throw notOurs();
  return { kind, scheduledEventId: buffer.readUInt32BE(1), attempt: buffer.readUInt32BE(5), runId: buffer.toString('utf8', TASK_HEADER) };
}
