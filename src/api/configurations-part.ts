import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { HubPartContext, HubPartHandle } from '../hub.js';
import { connectTemporalClient, type TemporalTarget } from '../temporal/connection.js';
import { JOBS_TASK_QUEUE } from '../temporal/worker.js';
import {
  configurationChangedSignal,
  configurationWorkflowId,
  twinsChangedSignal,
  type deviceConfiguration,
  type DeviceConfigurationInput,
} from '../../workflows/configuration.js';
import { configurationsRouter, type ConfigurationWorkflows } from './routes/configurations.js';

export interface ConfigurationsPartOptions {
  temporal: TemporalTarget;
  /** Where the configuration workflows run: the jobs worker's queue, whose bundle has them. */
  workflowTaskQueue?: string;
  /** Workflow timings (tests shorten them). */
  timing?: Pick<DeviceConfigurationInput, 'reevaluateEveryMs' | 'debounceMs'>;
  /** Twin changes are signalled to the configurations at most this often (ms). */
  signalIntervalMs?: number;
}

/**
 * Automatic device configurations as a part of the api role's startHub: the /configurations routes
 * and twin-change signals (the jobs worker runs the workflows and their activity). Each configuration is a long-running
 * workflow (workflows/configuration.ts) started with signal-with-start, so a configuration whose
 * start was lost (a crash after the store write) starts with the next twin change; twin changes reach
 * every configuration as one signal per interval.
 */
export function configurationsPart(options: ConfigurationsPartOptions): (context: HubPartContext) => Promise<HubPartHandle> {
  return async (context) => {
    const { client, connection } = await connectTemporalClient(options.temporal);
    const workflows = configurationWorkflows(client, options);
    return {
      close: () => connection.close(),
      routers: [configurationsRouter(context.store, workflows, context.events, context.log)],
      events: {
        onDesiredChange() {},
        onTwinsChanged: coalesce(
          options.signalIntervalMs ?? 1_000,
          async () => {
            for (const configuration of await context.store.listConfigurations(1000)) await workflows.twinsChanged(configuration.id);
          },
          (err) => context.log.error({ err }, 'Signalling twin changes to the configurations failed'),
        ),
      },
    };
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
