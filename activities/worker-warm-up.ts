/** The activity of the worker's warm-up workflow (workflows/worker-warm-up.ts): it only has to run. */
export const workerWarmUpActivities = {
  async warmUpStep(): Promise<void> {},
};

export type WorkerWarmUpActivities = typeof workerWarmUpActivities;
