/**
 * `npm run fuzz [-- --target all|query|rest|jobs|mqtt|methods|grpc --runs N --seed N]`
 *
 * The long version of the fuzz tests in test/fuzz (which `npm test` runs a few thousand cases of):
 *   query    random and mutated query texts through parse, compile and SQL, on SQLite and (with
 *            DATABASE_URL) PostgreSQL, the two compared, job conditions against the evaluator
 *            (default 100,000 cases);
 *   rest     twin PATCH/PUT, device PUT and query requests against a running hub, per store
 *            (default 20,000 requests per store);
 *   jobs     job PUTs against a hub with temporal-lite and the jobs engine (default 3,000);
 *   mqtt     connections sending random and mutated packets after a valid CONNECT (default 4,000
 *            connections, 8 at a time);
 *   methods  direct-method calls answered with random replies (default 400 calls, 8 at a time);
 *   grpc     random and mutated requests to every WorkflowService method of temporal-lite
 *            (default 20,000).
 * `--runs` sets the number of cases of every selected target. Prints the figures per target; exits
 * non-zero after printing fast-check's report (seed, path, counterexample) of any failure.
 */
import { parseArgs } from 'node:util';
import { startGatewayHub } from '../test/helpers/gateway-hub.js';
import { startTestHub } from '../test/helpers/hub.js';
import { STORE_VARIANTS } from '../test/helpers/store-variants.js';
import { startJobsHub } from '../test/jobs/helpers/jobs-hub.js';
import { FC_SEED } from '../test/query/query-arbitraries.js';
import { runMethodAnswerFuzz, runMqttFuzz } from '../test/fuzz/mqtt-fuzz.js';
import { loadFleet, openFuzzStores, runQueryFuzz } from '../test/fuzz/query-fuzz.js';
import { runJobFuzz, runRegistryFuzz } from '../test/fuzz/rest-fuzz.js';
import { errorCollector } from '../test/helpers/capture-log.js';
import { runGrpcFuzz } from '../test/fuzz/grpc-fuzz.js';
import { silentLogger } from '../test/temporal-lite/helpers/harness.js';
import { startTemporalLite } from '../temporal-lite/server.js';

const TARGETS = ['query', 'rest', 'jobs', 'mqtt', 'methods', 'grpc'] as const;
type Target = (typeof TARGETS)[number];
const DEFAULT_CASES: Record<Target, number> = { query: 100_000, rest: 20_000, jobs: 3_000, mqtt: 4_000, methods: 400, grpc: 20_000 };
const PARALLEL = 8;

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'all' },
    runs: { type: 'string' },
    seed: { type: 'string', default: String(FC_SEED) },
  },
});
const isTarget = (name: string): name is Target => TARGETS.some((target) => target === name);
const targets: readonly Target[] =
  args.target === 'all'
    ? TARGETS
    : args.target.split(',').map((name) => {
        if (!isTarget(name)) throw new Error(`--target: one of all, ${TARGETS.join(', ')}`);
        return name;
      });
const seed = Number(args.seed);
const casesOf = (target: Target) => (args.runs === undefined ? DEFAULT_CASES[target] : Number(args.runs));
const stores = STORE_VARIANTS.filter((variant) => variant.skip === false);

const runners: Record<Target, () => Promise<unknown>> = {
  async query() {
    const opened = await openFuzzStores();
    try {
      const fleet = await loadFleet(opened.stores, seed);
      return { stores: opened.stores.map((s) => s.name), ...(await runQueryFuzz({ stores: opened.stores, fleet, runs: casesOf('query'), seed })) };
    } finally {
      await opened.dispose();
    }
  },
  async rest() {
    const figures: Record<string, unknown> = {};
    for (const variant of stores) {
      const hub = await startTestHub(variant);
      try {
        figures[variant.name] = await runRegistryFuzz({ hub, runs: casesOf('rest'), seed });
      } finally {
        await hub.dispose();
      }
    }
    return figures;
  },
  async jobs() {
    const jobs = await startJobsHub({ settings: { maxActiveJobs: 1_000_000 } });
    try {
      return await runJobFuzz({ hub: jobs.hub, runs: casesOf('jobs'), seed });
    } finally {
      await jobs.dispose();
    }
  },
  async mqtt() {
    const loggedErrors: unknown[] = [];
    const hub = await startGatewayHub({ log: errorCollector(loggedErrors) });
    try {
      return await runMqttFuzz({ hub, loggedErrors, runs: Math.ceil(casesOf('mqtt') / PARALLEL), seed, parallel: PARALLEL });
    } finally {
      await hub.dispose();
    }
  },
  async methods() {
    const loggedErrors: unknown[] = [];
    const hub = await startGatewayHub({ log: errorCollector(loggedErrors) });
    try {
      return await runMethodAnswerFuzz({ hub, loggedErrors, runs: Math.ceil(casesOf('methods') / PARALLEL), seed, parallel: PARALLEL });
    } finally {
      await hub.dispose();
    }
  },
  async grpc() {
    const server = await startTemporalLite({ logger: silentLogger });
    try {
      const report = await runGrpcFuzz(server.address, casesOf('grpc'), seed);
      if (report.failures.length > 0) throw new Error(report.failures.join('\n'));
      return { calls: report.calls, codes: report.codes };
    } finally {
      await server.close();
    }
  },
};

console.log(`fuzz: seed ${seed}, stores ${stores.map((s) => s.name).join(' + ')}, targets ${targets.join(', ')}`);
let failed = 0;
for (const target of targets) {
  const started = performance.now();
  try {
    const figures = await runners[target]();
    console.log(`${target}: passed in ${((performance.now() - started) / 1000).toFixed(1)} s ${JSON.stringify(figures)}`);
  } catch (err) {
    failed++;
    console.log(`${target}: FAILED after ${((performance.now() - started) / 1000).toFixed(1)} s\n${err instanceof Error ? err.message : String(err)}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
