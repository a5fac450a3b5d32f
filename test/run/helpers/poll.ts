import type iothub from 'azure-iothub';

/** Calls `check` every `everyMs` until it returns a value, or fails naming `what`. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The job's JobResponse once it is completed, failed or cancelled (official JobClient). */
export function jobEnded(jobs: iothub.JobClient, jobId: string, timeoutMs: number) {
  return pollUntil(
    async () => {
      const { jobStatus } = await jobs.getJob(jobId);
      return ['completed', 'failed', 'cancelled'].includes(jobStatus.status) ? jobStatus : undefined;
    },
    `job ${jobId} to end`,
    timeoutMs,
  );
}
