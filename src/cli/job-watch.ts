import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT, stringOption, UsageError, type CommandContext, type OptionSpec } from './command.js';
import { jobSummary, progressBar, progressLine } from './job-progress.js';
import { FINAL_JOB_STATUSES, jobPath, type JobJson } from './resources.js';

/** Exit code when the user stops watching (the job goes on). */
const INTERRUPTED = 130;
/** Without a terminal, an unchanged job is still reported this often. */
const QUIET_LINE_MS = 30_000;

/**
 * Follows a job until it ends: a live progress bar on a terminal, otherwise a line whenever the
 * counts change. Exit code 0 when the job completed, 1 when it failed or was cancelled.
 */
export async function watchJob(context: CommandContext, jobId: string, intervalMs: number): Promise<number> {
  const { out } = context;
  let stopped = false;
  void context.stopped.then(() => (stopped = true));
  let lastLine = '';
  let lastPrinted = 0;
  for (;;) {
    const { body: job } = await context.client().request<JobJson>('GET', jobPath(jobId));
    const finished = FINAL_JOB_STATUSES.has(job.status);
    if (out.isTTY) {
      out.redraw(progressBar(job));
      if (finished) out.line('');
    } else {
      const line = progressLine(job);
      if (line !== lastLine || Date.now() - lastPrinted >= QUIET_LINE_MS) {
        out.line(`${new Date().toISOString()} ${line}`);
        lastLine = line;
        lastPrinted = Date.now();
      }
    }
    if (finished) {
      out.line(jobSummary(job));
      return job.status === 'completed' ? EXIT.ok : EXIT.failed;
    }
    await Promise.race([sleep(intervalMs), context.stopped]);
    if (stopped) {
      if (out.isTTY) out.line('');
      out.note(`stopped watching; job ${jobId} goes on (iothub-jobs job watch ${jobId})`);
      return INTERRUPTED;
    }
  }
}

export const WATCH_OPTIONS: Record<string, OptionSpec> = {
  interval: { type: 'string', value: 'seconds', description: 'time between polls (default 0.5 on a terminal, 2 otherwise)' },
};

/** The polling interval: --interval seconds, else twice a second on a terminal and every 2 s otherwise. */
export function watchIntervalMs(context: CommandContext): number {
  const text = stringOption(context, 'interval');
  if (text === undefined) return context.out.isTTY ? 500 : 2000;
  const seconds = Number(text);
  if (!(seconds >= 0.1 && seconds <= 3600)) throw new UsageError(`--interval must be seconds from 0.1 to 3600, not '${text}'`);
  return seconds * 1000;
}
