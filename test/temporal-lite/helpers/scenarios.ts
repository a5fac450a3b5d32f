// Runs each conformance scenario twice, with a caching (sticky) worker and with
// maxCachedWorkflows 0, then replays every run the scenarios left on the task queue. The
// server is a temporal-lite each suite starts, or the Temporal server TEMPORAL_ADDRESS names
// (helpers/target.ts): the same scenarios then hold a real server to them.
import type { Client } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TemporalLiteOptions } from '../../../temporal-lite/index.js';
import { assertReplays, connectEnv, startEnv, startWorker, type ClientEnv, type RunningWorker } from './harness.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { conformanceTarget, describeTarget, type ConformanceTarget } from './target.js';

/** No scenario may hang a run: each fails after this long. */
const SCENARIO_TIMEOUT_MS = 120_000;

export interface ScenarioContext {
  env: ClientEnv;
  client: Client;
  namespace: string;
  taskQueue: string;
  cached: boolean;
  /** A fresh workflow id; every run of it is replayed at the end (as is every other run on the queue) unless `replay` is false. */
  id(name: string, replay?: boolean): string;
}

export type Scenario = (ctx: ScenarioContext) => Promise<void>;

/** A scenario that runs on temporal-lite only; `liteOnly` says why a real server is not asked. */
export interface LiteOnlyScenario {
  liteOnly: string;
  run: Scenario;
}

export interface SuiteOptions {
  /** The temporal-lite server's options; on a real server, its `searchAttributes` are registered instead. */
  server?: TemporalLiteOptions;
  worker?: Partial<WorkerOptions>;
  /** temporal-lite keeps its state in SQLite in a fresh directory (removed after the suite). */
  durable?: boolean;
}

async function connect(target: ConformanceTarget, opts: SuiteOptions): Promise<ClientEnv> {
  if (target.kind === 'temporal-lite' && opts.durable) {
    const dataDir = mkdtempSync(join(tmpdir(), 'temporal-lite-conformance-'));
    const env = await startEnv({ ...opts.server, dataDir });
    return {
      ...env,
      async close() {
        await env.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (target.kind === 'temporal-lite') return startEnv(opts.server);
  const env = await connectEnv(target.address, target.namespace);
  await ensureSearchAttributes(env, opts.server?.searchAttributes ?? []);
  return env;
}

export function conformanceSuite(title: string, scenarios: Record<string, Scenario | LiteOnlyScenario>, opts: SuiteOptions = {}): void {
  const target = conformanceTarget(process.env);
  describe(`${title} (on ${describeTarget(target)})`, () => {
    let env: ClientEnv;
    before(async () => {
      env = await connect(target, opts);
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
          const run = typeof scenario === 'function' ? scenario : scenario.run;
          const skip = typeof scenario !== 'function' && target.kind !== 'temporal-lite' ? `temporal-lite only: ${scenario.liteOnly}` : false;
          it(name, { skip, timeout: SCENARIO_TIMEOUT_MS }, () =>
            run({
              env,
              client: env.client,
              namespace: env.namespace,
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

/** How a suite in both of temporal-lite's modes runs in one of them. */
export interface ModeOptions {
  durable?: SuiteOptions;
  timeSkipping?: SuiteOptions;
}

/**
 * The scenarios on temporal-lite durable (SQLite, wall clock) and time-skipping (virtual clock,
 * Temporal test server's predefined search attributes); on a real server, once.
 */
export function conformanceSuiteInBothModes(title: string, scenarios: Record<string, Scenario | LiteOnlyScenario>, opts: ModeOptions = {}): void {
  conformanceSuite(`${title}, durable`, scenarios, { ...opts.durable, durable: true });
  if (conformanceTarget(process.env).kind !== 'temporal-lite') return;
  const timeSkipping = opts.timeSkipping ?? {};
  conformanceSuite(`${title}, time skipping`, scenarios, { ...timeSkipping, server: { ...timeSkipping.server, timeSkipping: true } });
}
