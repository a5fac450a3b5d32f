/**
 * The activity of the configuration workflow (workflows/configuration.ts): one evaluation of an
 * automatic device configuration over the whole fleet, in pages of targets. Applying is idempotent
 * in the store (keyed by configuration id and etag), so a retried or repeated evaluation writes no
 * twin twice; the desired-property changes it made are announced after each page commits.
 */
import { heartbeat } from '@temporalio/activity';
import type { Logger } from '../src/logger.js';
import type { HubEvents } from '../src/registry/events.js';
import type { HubStore } from '../src/registry/store.js';

const PAGE = 500;

export interface ConfigurationActivityDeps {
  store: Pick<HubStore, 'getConfiguration' | 'matchingTargets' | 'applyConfiguration'>;
  events: HubEvents;
  log: Logger;
}

export interface Evaluation {
  /** False once the configuration is deleted: the workflow ends. */
  exists: boolean;
  targeted: number;
  /** Targets that got the content in this evaluation. */
  applied: number;
}

export function configurationActivities(deps: ConfigurationActivityDeps) {
  return {
    async evaluateConfiguration(configurationId: string): Promise<Evaluation> {
      const configuration = await deps.store.getConfiguration(configurationId);
      if (!configuration) return { exists: false, targeted: 0, applied: 0 };
      const evaluation: Evaluation = { exists: true, targeted: 0, applied: 0 };
      if (configuration.targetCondition === '') return evaluation;
      let after: string | undefined;
      for (;;) {
        const targets = await deps.store.matchingTargets(configuration.targetCondition, after, PAGE);
        if (targets.length === 0) break;
        evaluation.targeted += targets.length;
        const { applied, desiredChanges } = await deps.store.applyConfiguration(configurationId, configuration.etag, targets);
        evaluation.applied += applied;
        for (const change of desiredChanges) {
          Promise.resolve(deps.events.onDesiredChange(change)).catch((err: unknown) =>
            deps.log.error({ err, deviceId: change.deviceId }, `Desired-property notification for '${change.deviceId}' failed`),
          );
        }
        after = targets.at(-1);
        heartbeat(after);
      }
      return evaluation;
    },
  };
}

export type ConfigurationActivities = ReturnType<typeof configurationActivities>;
