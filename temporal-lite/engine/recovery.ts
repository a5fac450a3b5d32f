// Start-up: open runs come back from SQLite with their pending work re-armed. Overdue timers
// fire at once; tasks that were in flight are retried after their timeouts, as Temporal does,
// except those a worker of this very process had started: that worker died with the process, so
// they time out at once.
import { isStartedActivity } from './activity-attempts.js';
import { armActivity, offerActivity } from './activity-attempts.js';
import { startChild } from './children.js';
import { armTimer } from './commands/timer-commands.js';
import type { Engine } from './engine.js';
import { deliverExternal } from './externals.js';
import { Run } from './run.js';
import { armFirstTask, armRunDeadline } from './run-lifecycle.js';
import { restoreCore } from './run-record.js';
import { rearmWorkflowTask } from './workflow-tasks.js';

/** `inProcessWorkerIdentity`: the identity of the workers that ran in this server's process (none: unknown). */
export function recoverOpenRuns(engine: Engine, inProcessWorkerIdentity?: string): number {
  const runs: Run[] = [];
  for (const row of engine.store.openRuns()) {
    const events = engine.store.readEvents(row.pk, 1, Number.MAX_SAFE_INTEGER);
    const run = new Run(restoreCore(row, events[0]), events, engine.store, true);
    for (const item of engine.store.items(row.pk)) run.restoreItem(item.kind, item.key, item.data);
    engine.runs.add(run);
    runs.push(run);
  }
  for (const run of runs) rearm(engine, run, inProcessWorkerIdentity);
  return runs.length;
}

function rearm(engine: Engine, run: Run, inProcessWorkerIdentity: string | undefined): void {
  const diedWithProcess = (identity: string | undefined) => inProcessWorkerIdentity !== undefined && identity === inProcessWorkerIdentity;
  const now = engine.clock.now();
  // Sticky workers may be gone; the normal queue always works (with full histories).
  run.core.stickyQueue = undefined;
  armRunDeadline(engine, run);
  if (run.core.wft) rearmWorkflowTask(engine, run, diedWithProcess(run.core.wft.identity));
  else if (run.core.previousStartedEventId === 0) armFirstTask(engine, run);
  for (const activity of run.activities.values()) {
    armActivity(engine, run, activity, isStartedActivity(activity) && diedWithProcess(activity.startedIdentity) ? now : undefined);
    if (activity.phase === 'scheduled') offerActivity(engine, run, activity);
  }
  for (const timer of run.timers.values()) armTimer(engine, run, timer);
  for (const child of run.children.values()) if (child.pendingStart) startChild(engine, run, child);
  for (const request of run.externals.values()) deliverExternal(engine, run, request);
}
