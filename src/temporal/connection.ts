import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/** Where the jobs engine's Temporal is: a real cluster or temporal-lite. */
export interface TemporalTarget {
  /** host:port of the frontend (gRPC). */
  address: string;
  /** Default `default`. */
  namespace?: string;
}

export const namespaceOf = (target: TemporalTarget): string => target.namespace ?? 'default';

/** A client connection (API side: start, query, update, list). */
export async function connectTemporalClient(target: TemporalTarget): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: target.address });
  return { connection, client: new Client({ connection, namespace: namespaceOf(target) }) };
}

/** A worker connection (Core, native). */
export function connectTemporalWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address });
}
