/**
 * A workflow that does nothing: a jobs worker runs one as it starts, so that its workflow thread
 * has set up its codecs and its sandbox has run workflow code before the first job's first task,
 * which would otherwise wait for them (the SDK sets them up on a thread's first workflow task).
 */
export async function workerWarmUp(): Promise<void> {}

/** Its workflow id: one per worker start (Temporal keeps each for the namespace's retention). */
export const workerWarmUpId = (identity: string, startedAt: number): string => `iothub-worker-warm-up/${identity}/${startedAt}`;
