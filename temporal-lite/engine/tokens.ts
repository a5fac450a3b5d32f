// Task tokens: opaque to workers. Binary: a kind byte, then for workflow and activity tasks the
// scheduled event id and attempt (uint32 each) and the run id, for queries the query id. A token
// that does not parse is a client mistake (INVALID_ARGUMENT); one that parses but names nothing
// current is NOT_FOUND.
import { invalidArgument } from '../grpc/errors.js';

export type TaskToken =
  | { k: 'wft'; r: string; s: number; a: number }
  | { k: 'act'; r: string; s: number; a: number }
  | { k: 'query'; q: string };

const KIND_BYTE = { wft: 0x71, act: 0x72, query: 0x73 } as const;
const KIND_NAME = { wft: 'a workflow', act: 'an activity', query: 'a query' } as const;
const TASK_HEADER = 9; // kind, scheduled event id, attempt

export function encodeToken(t: TaskToken): Buffer {
  if (t.k === 'query') return Buffer.concat([Buffer.of(KIND_BYTE.query), Buffer.from(t.q, 'utf8')]);
  const header = Buffer.allocUnsafe(TASK_HEADER);
  header[0] = KIND_BYTE[t.k];
  header.writeUInt32BE(t.s, 1);
  header.writeUInt32BE(t.a, 5);
  return Buffer.concat([header, Buffer.from(t.r, 'utf8')]);
}

export function decodeToken(bytes: Uint8Array | undefined, expected: TaskToken['k']): TaskToken {
  if (!bytes || bytes.length === 0) throw invalidArgument('Task token is not set on request.');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = (Object.keys(KIND_BYTE) as Array<TaskToken['k']>).find((k) => KIND_BYTE[k] === b[0]);
  if (!kind) throw invalidArgument('Error deserializing task token: not a temporal-lite task token.');
  if (kind !== expected) throw invalidArgument(`Error deserializing task token: not ${KIND_NAME[expected]} task token.`);
  if (kind === 'query') return { k: kind, q: b.toString('utf8', 1) };
  if (b.length <= TASK_HEADER) throw invalidArgument('Error deserializing task token: not a temporal-lite task token.');
  return { k: kind, s: b.readUInt32BE(1), a: b.readUInt32BE(5), r: b.toString('utf8', TASK_HEADER) };
}
