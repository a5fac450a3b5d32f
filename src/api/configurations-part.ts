import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { HubPartContext, HubPartHandle } from '../hub.js';
import { connectTemporalClient, connectTemporalWorker, namespaceOf, type TemporalTarget } from '../temporal/connection.js';
import { JOBS_TASK_QUEUE } from '../temporal/worker.js';
import { configurationActivities } from '../../activities/configuration.js';
import {
  CONFIGURATION_ACTIVITY_QUEUE,
  configurationChangedSignal,
  configurationWorkflowId,
  twinsChangedSignal,
  type deviceConfiguration,
  type DeviceConfigurationInput,
} from '../../workflows/configuration.js';
import { configurationsRouter, type ConfigurationWorkflows } from './routes/configurations.js';

export interface ConfigurationsPartOptions {
  temporal: TemporalTarget;
  /** `api`: the /configurations routes and twin-change signals; `worker`: the evaluation activity. */
  roles: { api?: boolean; worker?: boolean };
  /** Where the configuration workflows run: the jobs worker's queue, whose bundle has them. */
  workflowTaskQueue?: string;
  /** Workflow timings (tests shorten them). */
  timing?: Pick<DeviceConfigurationInput, 'reevaluateEveryMs' | 'debounceMs'>;
  /** Twin changes are signalled to the configurations at most this often (ms). */
  signalIntervalMs?: number;
}

/**
 * Automatic device configurations as a part of startHub: each configuration is a long-running
 * workflow (workflows/configuration.ts) started with signal-with-start, so a configuration whose
 * start was lost (a crash after the store write) starts with the next twin change; twin changes reach
 * every configuration as one signal per interval; the worker role runs the evaluation activity.
 */
export function configurationsPart(options: ConfigurationsPartOptions): (context: HubPartContext) => Promise<HubPartHandle> {
  return async (context) => {
    const closers: Array<() => Promise<void>> = [];
    const close = async () => {
      for (const closer of closers.splice(0).reverse()) await closer();
    };
    try {
      const { client, connection } = await connectTemporalClient(options.temporal);
      closers.push(() => connection.close());
      const handle: HubPartHandle = { close };
      const workflows = configurationWorkflows(client, options);

      if (options.roles.api) {
        handle.routers = [configurationsRouter(context.store, workflows, context.events, context.log)];
        handle.events = {
          onDesiredChange() {},
          onTwinsChanged: coalesce(options.signalIntervalMs ?? 1_000, async () => {
            for (const configuration of await context.store.listConfigurations(1000)) await workflows.twinsChanged(configuration.id);
          }, (err) => context.log.error('Signalling twin changes to the configurations failed', err)),
        };
      }
      if (options.roles.worker) {
        const workerConnection = await connectTemporalWorker(options.temporal);
        closers.push(() => workerConnection.close());
        const worker = await Worker.create({
          connection: workerConnection,
          namespace: namespaceOf(options.temporal),
          taskQueue: CONFIGURATION_ACTIVITY_QUEUE,
          activities: configurationActivities({ store: context.store, events: context.events, log: context.log }),
          shutdownGraceTime: '5 seconds',
        });
        const running = worker.run().catch((err: unknown) => context.log.error('The configurations worker stopped', err));
        closers.push(async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
        });
      }
      return handle;
    } catch (err) {
      await close();
      throw err;
    }
  };
}

function configurationWorkflows(client: Client, options: ConfigurationsPartOptions): ConfigurationWorkflows & { twinsChanged(id: string): Promise<void> } {
  const signalWithStart = async (configurationId: string, signal: typeof twinsChangedSignal | typeof configurationChangedSignal) => {
    await client.workflow.signalWithStart<typeof deviceConfiguration>('deviceConfiguration', {
      workflowId: configurationWorkflowId(configurationId),
      taskQueue: options.workflowTaskQueue ?? JOBS_TASK_QUEUE,
      args: [{ configurationId, ...options.timing }],
      signal,
    });
  };
  return {
    changed: (id) => signalWithStart(id, configurationChangedSignal),
    twinsChanged: (id) => signalWithStart(id, twinsChangedSignal),
    async deleted(id) {
      await client.workflow
        .getHandle(configurationWorkflowId(id))
        .signal(configurationChangedSignal)
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    },
  };
}

/** Runs `task` once `intervalMs` after it is first asked for; asks until then (or during the run) share that run. */
function coalesce(intervalMs: number, task: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      task()
        .catch(onError)
        .finally(() => (timer = undefined));
    }, intervalMs);
    timer.unref();
  };
}
