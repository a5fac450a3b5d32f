// The overlap policies (docs.temporal.io/workflows#overlap-policy): given the buffered starts
// and whether a workflow of the schedule is running, what to start now, what to keep waiting,
// what to skip, and whether the running one must be cancelled or terminated first.
import type { BufferedStart, OverlapPolicy } from './types.js';

export interface BufferDecision {
  /** ALLOW_ALL starts: all of them now, untracked. */
  overlapping: BufferedStart[];
  /** At most one start that must not overlap another. */
  nonOverlapping?: BufferedStart;
  /** What stays buffered. */
  buffer: BufferedStart[];
  cancelRunning: boolean;
  terminateRunning: boolean;
  skipped: number;
}

export function decideBuffer(
  buffer: readonly BufferedStart[],
  running: boolean,
  resolve: (policy: OverlapPolicy | undefined) => OverlapPolicy,
): BufferDecision {
  const decision: BufferDecision = { overlapping: [], buffer: [], cancelRunning: false, terminateRunning: false, skipped: 0 };
  for (const start of buffer) {
    const policy = resolve(start.overlapPolicy);
    if (policy === 'SCHEDULE_OVERLAP_POLICY_ALLOW_ALL') {
      decision.overlapping.push(start);
      continue;
    }
    if (!running && !decision.nonOverlapping) {
      decision.nonOverlapping = start;
      continue;
    }
    switch (policy) {
      case 'SCHEDULE_OVERLAP_POLICY_BUFFER_ONE':
        if (decision.buffer.length === 0) decision.buffer.push(start);
        else decision.skipped++;
        break;
      case 'SCHEDULE_OVERLAP_POLICY_BUFFER_ALL':
        decision.buffer.push(start);
        break;
      case 'SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER':
      case 'SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER':
        if (running) {
          // Started once the running one has closed.
          if (policy === 'SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER') decision.cancelRunning = true;
          else decision.terminateRunning = true;
          decision.buffer.push(start);
        } else {
          // Nothing runs yet: this one replaces the start chosen before it.
          decision.nonOverlapping = start;
        }
        break;
      default:
        decision.skipped++;
    }
  }
  // The running workflow is about to be stopped for a later start: ALLOW_ALL ones would be too.
  if (decision.cancelRunning || decision.terminateRunning) decision.overlapping = [];
  return decision;
}
