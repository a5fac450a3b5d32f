// The SDK configuration recommended for a worker and client running next to temporal-lite on
// the same machine (the embedded hub). Every value is a documented option of the unmodified
// @temporalio SDK 1.24; bench/temporal-lite.ts measures with exactly these.
import type { NativeConnectionOptions, WorkerOptions } from '@temporalio/worker';

/** For NativeConnection.connect (worker, and the client when it shares the connection). */
export const EMBEDDED_CONNECTION_OPTIONS = {
  // Core gzips every request by default; over loopback that only burns CPU on both ends.
  grpcCompression: { codec: 'none' },
} as const satisfies Partial<NativeConnectionOptions>;

/** Worker options to spread into Worker.create (besides connection, taskQueue, workflows, activities). */
export const EMBEDDED_WORKER_OPTIONS = {
  // New workflows' first tasks come from the normal queue: give it more than Core's 2 pollers.
  maxConcurrentWorkflowTaskPolls: 20,
  nonStickyToStickyPollRatio: 0.5,
  maxConcurrentActivityTaskPolls: 40,
  // Activities a workflow task schedules come back in the completion's response (eager
  // execution) instead of through a poll each: up to this many per workflow task (Core: 3).
  maxEagerActivityReservationsPerWorkflowTask: 50,
  workflowThreadPoolSize: 2,
} as const satisfies Partial<WorkerOptions>;
