// Retention: closed runs are deleted, with their histories and visibility rows, once they have
// been closed for longer than their namespace's retention. Sweeps run on wall-clock intervals
// (a periodic timer on the virtual clock would make time skipping jump forever) and compare
// close times with the virtual clock.
import type { Engine } from './engine.js';
import type { VisibilitySink } from './visibility-port.js';

const BATCH = 1000;

/** Deletes expired closed runs; returns how many. */
export function sweepRetention(engine: Engine, visibility: VisibilitySink): number {
  let deleted = 0;
  const now = engine.clock.now();
  for (const ns of engine.namespaces.list()) {
    for (;;) {
      const expired = engine.store.closedBefore(ns.name, now - ns.retentionMs, BATCH);
      if (expired.length === 0) break;
      engine.store.transaction(() => {
        for (const run of expired) {
          engine.store.deleteRun(run.pk);
          visibility.delete(ns.name, run.workflowId, run.runId);
        }
      });
      deleted += expired.length;
      if (expired.length < BATCH) break;
    }
  }
  return deleted;
}

/** Sweeps now and every `intervalMs`; returns a function that stops it. */
export function scheduleRetention(engine: Engine, visibility: VisibilitySink, intervalMs: number): () => void {
  const sweep = () => {
    try {
      const deleted = sweepRetention(engine, visibility);
      if (deleted > 0) engine.logger.info(`retention: deleted ${deleted} closed workflow runs`);
    } catch (err) {
      engine.logger.error(`retention sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
