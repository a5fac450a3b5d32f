import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * The Temporal worker runtime, installed once per process: without its own signal handlers (by
 * default it catches SIGINT/SIGTERM to stop workers, while the hub process shuts down every part
 * itself, the worker included) and logging warnings and errors only.
 */
export function installTemporalRuntime(): void {
  if (installed) return;
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  installed = true;
}
