import type { DeviceJobStatistics } from '../../workflows/types.js';
import type { JobJson } from './resources.js';

const EMPTY: DeviceJobStatistics = { deviceCount: 0, failedCount: 0, succeededCount: 0, runningCount: 0, pendingCount: 0 };

const statisticsOf = (job: JobJson): DeviceJobStatistics => ({ ...EMPTY, ...job.deviceJobStatistics });

/** Devices finished (succeeded or failed) out of the job's devices. */
function fractionDone(job: JobJson): number {
  const stats = statisticsOf(job);
  if (stats.deviceCount === 0) return job.status === 'completed' ? 1 : 0;
  return (stats.succeededCount + stats.failedCount) / stats.deviceCount;
}

const counts = (stats: DeviceJobStatistics) =>
  `${stats.succeededCount} succeeded, ${stats.failedCount} failed, ${stats.runningCount} running, ${stats.pendingCount} pending`;

/** The live terminal line: `[█████░░░░░]  50%  500/1000 devices  (490 succeeded, …)  running`. */
export function progressBar(job: JobJson, width = 24): string {
  const stats = statisticsOf(job);
  const fraction = fractionDone(job);
  const filled = Math.round(fraction * width);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const done = stats.succeededCount + stats.failedCount;
  return `${bar} ${percent}  ${done}/${stats.deviceCount} devices  (${counts(stats)})  ${job.status}`;
}

/** The line printed periodically when stdout is not a terminal. */
export function progressLine(job: JobJson): string {
  const stats = statisticsOf(job);
  return `job ${job.jobId} ${job.status}: ${stats.succeededCount + stats.failedCount}/${stats.deviceCount} devices done (${counts(stats)})`;
}

/** The closing line once the job has ended. */
export function jobSummary(job: JobJson): string {
  const stats = statisticsOf(job);
  const reason = job.failureReason ? `: ${job.failureReason}` : '';
  return `job ${job.jobId} ${job.status}${reason} — ${stats.deviceCount} devices, ${stats.succeededCount} succeeded, ${stats.failedCount} failed`;
}
