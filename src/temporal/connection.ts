import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { prepareWorkflowServiceCodecs } from '../../temporal-lite/grpc/proto.js';
import { EMBEDDED_CONNECTION_OPTIONS } from '../../temporal-lite/sdk-tuning.js';

/** Where the jobs engine's Temporal is: a real cluster or temporal-lite. */
export interface TemporalTarget {
  /** host:port of the frontend (gRPC). */
  address: string;
  /** Default `default`. */
  namespace?: string;
}

export const namespaceOf = (target: TemporalTarget): string => target.namespace ?? 'default';

/** The calls of the jobs API (start, count, query, update, signal, list, result). */
const CLIENT_CALLS = [
  'StartWorkflowExecution',
  'CountWorkflowExecutions',
  'QueryWorkflow',
  'UpdateWorkflowExecution',
  'SignalWorkflowExecution',
  'ListWorkflowExecutions',
  'GetWorkflowExecutionHistory',
];

/**
 * A client connection (API side: start, query, update, list); the codecs of its calls are prepared
 * first, so that the first PUT after start-up does not wait for them.
 */
export async function connectTemporalClient(target: TemporalTarget): Promise<{ client: Client; connection: Connection }> {
  prepareWorkflowServiceCodecs(CLIENT_CALLS);
  const connection = await Connection.connect({ address: target.address });
  return { connection, client: new Client({ connection, namespace: namespaceOf(target) }) };
}

/** Whether `address` (host:port) names this machine: gRPC compression there only costs CPU on both ends. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * A worker connection (Core, native). Core compresses every request by default, which a frontend on
 * this machine (temporal-lite, or a cluster on loopback) must then inflate: not on loopback.
 */
export function connectTemporalWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address, ...(isLoopbackAddress(target.address) && EMBEDDED_CONNECTION_OPTIONS) });
}
