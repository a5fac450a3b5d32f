// Runs each conformance scenario twice, with a caching (sticky) worker and with
// maxCachedWorkflows 0, then replays every run the scenarios left on the task queue.
import type { Client } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TemporalLiteOptions } from '../../../temporal-lite/index.js';
import { assertReplays, startEnv, startWorker, type Env, type RunningWorker } from './harness.js';

export interface ScenarioContext {
  env: Env;
  client: Client;
  taskQueue: string;
  cached: boolean;
  /** A fresh workflow id; every run of it is replayed at the end (as is every other run on the queue) unless `replay` is false. */
  id(name: string, replay?: boolean): string;
}

export type Scenario = (ctx: ScenarioContext) => Promise<void>;

export function conformanceSuite(
  title: string,
  scenarios: Record<string, Scenario>,
  opts: { server?: TemporalLiteOptions; worker?: Partial<WorkerOptions> } = {},
): void {
  describe(title, () => {
    let env: Env;
    before(async () => {
      env = await startEnv(opts.server);
    });
    after(async () => {
      await env.close();
    });
    for (const cached of [true, false]) {
      describe(cached ? 'with sticky cache' : 'with maxCachedWorkflows 0', () => {
        const taskQueue = `tq-${cached ? 'cached' : 'uncached'}-${randomUUID()}`;
        const noReplay = new Set<string>();
        let worker: RunningWorker;
        before(async () => {
          worker = await startWorker(env, taskQueue, cached, opts.worker);
        });
        after(async () => {
          await worker.stop();
        });
        for (const [name, scenario] of Object.entries(scenarios)) {
          it(name, () =>
            scenario({
              env,
              client: env.client,
              taskQueue,
              cached,
              id: (n, replay = true) => {
                const id = `${n}-${randomUUID()}`;
                if (!replay) noReplay.add(id);
                return id;
              },
            }),
          );
        }
        it('every run on the queue replays without nondeterminism', () => assertReplays(env.client, `TaskQueue = '${taskQueue}'`, noReplay));
      });
    }
  });
}
