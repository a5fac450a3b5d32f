import type { RunHistory } from './jobs.js';
import type { RolloutBatch } from '../../../workflows/types.js';

/** A rollout batch as its shard's history shows it: when the workflow dispatched it (its clock at that tick) and what it was to do. */
export interface Dispatch {
  at: number;
  batch: RolloutBatch;
  /** Devices it may start: its range, or its retry limit. */
  size: number;
}

/** Every processRolloutBatch a job's shard runs scheduled, in order: the times devices were started, from the histories themselves. */
export function rolloutDispatches(runs: readonly RunHistory[]): Dispatch[] {
  const dispatches: Dispatch[] = [];
  for (const run of runs) {
    for (const event of run.history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name !== 'processRolloutBatch') continue;
      const batch = JSON.parse(Buffer.from(scheduled.input!.payloads![0]!.data!).toString()) as RolloutBatch;
      const size = 'range' in batch.devices ? batch.devices.range.to - batch.devices.range.from : batch.devices.limit;
      dispatches.push({ at: batch.dispatchedAt, batch, size });
    }
  }
  return dispatches.sort((a, b) => a.at - b.at);
}

/** The most devices dispatched within any window of `windowMs` (half-open, starting at a dispatch). */
export function busiestWindow(dispatches: readonly Dispatch[], windowMs: number): number {
  let best = 0;
  let sum = 0;
  let tail = 0;
  for (const dispatch of dispatches) {
    sum += dispatch.size;
    while (dispatches[tail]!.at <= dispatch.at - windowMs) sum -= dispatches[tail++]!.size;
    best = Math.max(best, sum);
  }
  return best;
}

/** Devices dispatched in each window of `windowMs` from the first dispatch (the last, partial one left out). */
export function windowCounts(dispatches: readonly Dispatch[], windowMs: number): number[] {
  if (dispatches.length === 0) return [];
  const start = dispatches[0]!.at;
  const last = dispatches.at(-1)!.at;
  const counts = new Array<number>(Math.floor((last - start) / windowMs)).fill(0);
  for (const dispatch of dispatches) {
    const index = Math.floor((dispatch.at - start) / windowMs);
    if (index < counts.length) counts[index]! += dispatch.size;
  }
  return counts;
}
