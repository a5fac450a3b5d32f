// Start-up: open runs come back from SQLite with their pending work re-armed. Overdue timers
// fire at once; tasks that were in flight are retried after their timeouts, as Temporal does.
import { fromJson } from '../persistence/json-codec.js';
import { armActivity, offerActivity } from './activities.js';
import { startChild } from './children.js';
import { armTimer } from './commands/timer-commands.js';
import type { Engine } from './engine.js';
import { deliverExternal } from './externals.js';
import { Run } from './run.js';
import { armRunDeadline } from './run-close.js';
import { armFirstTask } from './run-start.js';
import { restoreCore } from './run-record.js';
import type { ItemKind } from './types.js';
import { rearmWorkflowTask } from './workflow-tasks.js';

export function recoverOpenRuns(e: Engine): number {
  const runs: Run[] = [];
  for (const row of e.store.openRuns()) {
    const events = e.store.readEvents(row.pk, 1, Number.MAX_SAFE_INTEGER);
    const run = new Run(restoreCore(row, events[0]), events, e.store, true);
    for (const item of e.store.items(row.pk)) run.restoreItem(item.kind as ItemKind | 'buffer', item.key, fromJson<object>(item.data));
    e.runs.add(run);
    runs.push(run);
  }
  for (const run of runs) rearm(e, run);
  return runs.length;
}

function rearm(e: Engine, run: Run): void {
  // Sticky workers may be gone; the normal queue always works (with full histories).
  run.core.stickyQueue = undefined;
  armRunDeadline(e, run);
  if (run.core.wft) rearmWorkflowTask(e, run);
  else if (run.core.previousStartedEventId === 0) armFirstTask(e, run);
  for (const a of run.activities.values()) {
    armActivity(e, run, a);
    if (a.phase === 'scheduled') offerActivity(e, run, a);
  }
  for (const t of run.timers.values()) armTimer(e, run, t);
  for (const c of run.children.values()) if (c.pendingStart) startChild(e, run, c);
  for (const x of run.externals.values()) deliverExternal(e, run, x);
}
