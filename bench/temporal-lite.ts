/**
 * `npm run bench:temporal-lite [-- --quick] [-- --server-cpu-prof DIR]` (needs `npm run build`:
 * the server runs from dist/ through its CLI, as `temporal-lite server start-dev` does).
 *
 * The real SDK worker and client (this process) against temporal-lite, either in its own process
 * or in this one, with and without a data directory. For each: workflow start-to-completion
 * throughput (one activity each, so also activities/s run one per workflow), activity throughput
 * (one workflow fanning out), and p50/p99 latency of a one-activity workflow; then, with a data
 * directory, the RSS at the start, peak and end of each of 4 rounds of 5,000 workflows (flat: no
 * growth from round to round as closed workflows pile up). Besides
 * wall-clock rates it prints the CPU time each process spent per workflow and per activity,
 * which stays meaningful when other work shares the machine, and the rate those CPU costs
 * allow on this machine's cores.
 */
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fanOut, latencies, percentile, runWorkflows } from './temporal-lite/load.js';
import type { ProcessMeter } from './temporal-lite/meters.js';
import { assertFreshBuild } from './temporal-lite/server-process.js';
import { withStack, type Meters, type Placement } from './temporal-lite/stack.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'server-cpu-prof': { type: 'string' } } });
const scale = (n: number) => (args.quick ? Math.ceil(n / 10) : n);
const WORKFLOWS = scale(3000);
const ACTIVITIES = scale(5000);
const LATENCY_RUNS = scale(300);
const RSS_ROUNDS = 4;
const RSS_WORKFLOWS_PER_ROUND = scale(5000);
const WINDOW = 200;
const PHASE_LIMIT_MS = 10 * 60_000;
const CORES = availableParallelism();

assertFreshBuild();
Runtime.install({ logger: new DefaultLogger('ERROR') });
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./temporal-lite/workflows.ts', import.meta.url)),
  logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
});

/** CPU milliseconds each process spends while `fn` runs. */
async function cpuDuring(meters: Meters, fn: () => Promise<void>): Promise<{ wallMs: number; serverMs?: number; sdkMs: number }> {
  const read = (m: ProcessMeter | undefined) => m?.cpuMs();
  const [s0, c0, t0] = [read(meters.server), meters.sdk.cpuMs(), performance.now()];
  await fn();
  const [s1, c1, t1] = [read(meters.server), meters.sdk.cpuMs(), performance.now()];
  return { wallMs: t1 - t0, serverMs: s0 === undefined ? undefined : s1! - s0, sdkMs: c1 - c0 };
}

/** "…/s wall | CPU ms per unit: server a, client+worker b | CPU allows …/s" */
function describe(unit: string, n: number, m: { wallMs: number; serverMs?: number; sdkMs: number }): string {
  const per = (ms: number) => (ms / n).toFixed(2);
  const total = (m.serverMs ?? 0) + m.sdkMs;
  const split = m.serverMs === undefined ? `all in one process ${per(m.sdkMs)}` : `server ${per(m.serverMs)} + client/worker ${per(m.sdkMs)} = ${per(total)}`;
  const used = total / m.wallMs;
  return `${(n / (m.wallMs / 1000)).toFixed(0).padStart(5)} ${unit}/s wall | CPU ms/${unit}: ${split} | CPU used ${used.toFixed(2)} of ${CORES} cores; ${CORES} free cores would allow ~${((CORES * 1000 * n) / total).toFixed(0)} ${unit}/s`;
}

async function measure(placement: Placement, dbFile: string | undefined, label: string): Promise<void> {
  const serverNodeArgs = args['server-cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['server-cpu-prof']] : [];
  await withStack({ placement, dbFile, workflowBundle, serverNodeArgs }, async (client, meters) => {
    await runWorkflows(client, 'warm', 300, WINDOW, PHASE_LIMIT_MS);
    const wf = await cpuDuring(meters, () => runWorkflows(client, 'wf', WORKFLOWS, WINDOW, PHASE_LIMIT_MS));
    const act = await cpuDuring(meters, () => fanOut(client, 'fan', ACTIVITIES, WINDOW, PHASE_LIMIT_MS));
    const lat = await latencies(client, 'lat', LATENCY_RUNS, PHASE_LIMIT_MS);
    console.log(`${label} (load average ${loadavg()[0].toFixed(1)})`);
    const line = (what: string, figures: string) => console.log(`  ${what.padEnd(38)}${figures}`);
    line('workflows, one activity each', describe('wf', WORKFLOWS, wf));
    line('activities, one per workflow (above)', describe('act', WORKFLOWS, wf));
    line(`activities, ${ACTIVITIES} in one workflow`, describe('act', ACTIVITIES, act));
    console.log(`  latency of a one-activity workflow, one at a time: p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms`);
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Server RSS (start, peak, end) and CPU per workflow in rounds, as closed workflows pile up in its data directory. */
async function rss(dbFile: string): Promise<void> {
  await withStack({ placement: 'own process', dbFile, workflowBundle }, async (client, meters) => {
    const server = meters.server!;
    console.log(`server RSS in ${RSS_ROUNDS} rounds of ${RSS_WORKFLOWS_PER_ROUND} one-activity workflows (own process, data dir):`);
    for (let round = 1; round <= RSS_ROUNDS; round++) {
      const start = server.rssBytes();
      let peak = start;
      const m = await cpuDuring(meters, () =>
        runWorkflows(client, `rss${round}`, RSS_WORKFLOWS_PER_ROUND, WINDOW, 4 * PHASE_LIMIT_MS, () => {
          peak = Math.max(peak, server.rssBytes());
        }),
      );
      const end = server.rssBytes();
      const perWorkflow = (ms: number | undefined) => ((ms ?? 0) / RSS_WORKFLOWS_PER_ROUND).toFixed(2);
      console.log(
        `  round ${round}: server RSS start ${mb(start)}, peak ${mb(Math.max(peak, end))}, end ${mb(end)} | ` +
          `CPU ms/wf server ${perWorkflow(m.serverMs)}, client/worker ${perWorkflow(m.sdkMs)} | client/worker RSS ${mb(meters.sdk.rssBytes())} | load average ${loadavg()[0].toFixed(1)}`,
      );
    }
    console.log(`  peak over all rounds: server ${mb(server.peakRssBytes())}, client/worker ${mb(meters.sdk.peakRssBytes())}`);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'temporal-lite-bench-'));
try {
  console.log(
    `temporal-lite benchmark: real SDK worker + client in this process${args.quick ? ' (--quick)' : ''}; ` +
      `${WORKFLOWS} workflows with ${WINDOW} in flight, ${ACTIVITIES} activities, ${LATENCY_RUNS} latency runs; ` +
      `${CORES} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  await measure('own process', join(dir, 'a.db'), 'server in its own process, with a data dir');
  await measure('own process', undefined, 'server in its own process, in memory');
  await measure('in process', join(dir, 'b.db'), 'server in this process, with a data dir');
  await measure('in process', undefined, 'server in this process, in memory');
  await rss(join(dir, 'c.db'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
