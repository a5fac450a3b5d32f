import { status } from '@grpc/grpc-js';
import type { Client } from '@temporalio/client';
import { grpcCodeOf } from './temporal-errors.js';

/** How often the worker's namespace is asked for. */
export const NAMESPACE_WATCH_MS = 2_000;
const ASK_DEADLINE_MS = 1_500;

/**
 * Calls `gone` once the Temporal server answers that the client's namespace does not exist (gRPC
 * NOT_FOUND: e.g. a new cluster behind the same address). The SDK's core treats NOT_FOUND on its
 * task polls as fatal for the worker too, but sees it only when its long poll ends (up to 70 s);
 * asking directly tells within seconds. An unreachable server is not a verdict: polls resume when
 * it is back. Returns the function that stops the watch.
 */
export function watchNamespace(client: Client, gone: (reason: Error) => void, intervalMs = NAMESPACE_WATCH_MS): () => void {
  const { namespace } = client.options;
  let asking = false;
  const ask = async () => {
    if (asking) return;
    asking = true;
    try {
      await client.connection.withDeadline(Date.now() + ASK_DEADLINE_MS, () => client.workflowService.describeNamespace({ namespace }));
    } catch (err) {
      if (grpcCodeOf(err) === status.NOT_FOUND) {
        clearInterval(timer);
        gone(new Error(`Namespace ${namespace} is not found on the Temporal server: the jobs worker cannot poll it`, { cause: err }));
      }
    } finally {
      asking = false;
    }
  };
  const timer = setInterval(() => void ask(), intervalMs);
  return () => clearInterval(timer);
}
