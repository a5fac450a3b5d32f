/**
 * An automatic device configuration as a continuous process: evaluate its target condition and
 * apply its content to the devices (or modules) it newly targets and wins by priority, again on
 * every twin change the hub signals (debounced) and on a periodic timer, until the configuration is
 * deleted. The history stays bounded: the run continues as new before it grows past a limit.
 */
import { condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { ConfigurationActivities, Evaluation } from '../activities/configuration.js';

/** Twins changed somewhere in the hub: re-evaluate soon (a burst of changes makes one evaluation). */
export const twinsChangedSignal = defineSignal('twinsChanged');
/** The configuration was replaced (target condition, priority…) or deleted. */
export const configurationChangedSignal = defineSignal('configurationChanged');

/** The evaluations of this run so far and what the last one found (targeted, newly applied). */
export const evaluationQuery = defineQuery<{ evaluations: number; last?: Evaluation }>('evaluation');

export const configurationWorkflowId = (configurationId: string): string => `configuration:${configurationId}`;

export interface DeviceConfigurationInput {
  configurationId: string;
  /** Periodic re-evaluation even without signals (reported properties change without one). */
  reevaluateEveryMs?: number;
  /** How long a signal waits for more before the evaluation. */
  debounceMs?: number;
  /** Events after which the run continues as new (default HISTORY_LIMIT). */
  historyLimit?: number;
}

/** Events per evaluation are ~8 (timer, activity, signals); continue as new well before histories grow large. */
export const HISTORY_LIMIT = 1_000;

// On the workflow's own task queue: the jobs worker registers the configuration activities too.
const { evaluateConfiguration } = proxyActivities<ConfigurationActivities>({
  summary: 'apply the configuration to the devices it targets',
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function deviceConfiguration(input: DeviceConfigurationInput): Promise<void> {
  let pending = true; // every run evaluates first: a signal may have come while the last one ended
  setHandler(twinsChangedSignal, () => void (pending = true));
  setHandler(configurationChangedSignal, () => void (pending = true));
  let evaluations = 0;
  let last: Evaluation | undefined;
  setHandler(evaluationQuery, () => ({ evaluations, last }));
  const every = input.reevaluateEveryMs ?? 5 * 60_000;
  const debounce = input.debounceMs ?? 2_000;

  while (workflowInfo().historyLength < (input.historyLimit ?? HISTORY_LIMIT)) {
    if (!pending) await condition(() => pending, every);
    if (pending) await sleep(debounce);
    pending = false;
    last = await evaluateConfiguration(input.configurationId);
    evaluations++;
    if (!last.exists) return;
  }
  await continueAsNew<typeof deviceConfiguration>(input);
}
