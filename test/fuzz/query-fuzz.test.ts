import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FC_SEED } from '../query/query-arbitraries.js';
import { loadFleet, openFuzzStores, runQueryFuzz, type FuzzStore } from './query-fuzz.js';

// `npm run fuzz` runs the long version (≥ 100,000 cases).
const RUNS = Number(process.env.FUZZ_QUERY_RUNS ?? 3000);

describe('query fuzz: random and mutated texts through parse, compile and SQL on every store', () => {
  let stores: FuzzStore[];
  let fleet: Record<string, unknown>[];
  let dispose: () => Promise<void>;

  before(async () => {
    ({ stores, dispose } = await openFuzzStores());
    fleet = await loadFleet(stores, FC_SEED);
  });
  after(() => dispose?.());

  it(`${RUNS} cases: each runs or is a 4xx HubError, stores agree, job conditions pick the evaluator's devices`, async (t) => {
    const figures = await runQueryFuzz({ stores, fleet, runs: RUNS, seed: FC_SEED });
    t.diagnostic(`${stores.map((s) => s.name).join(' + ')}: ${JSON.stringify(figures)}`);
    assert.equal(figures.cases, RUNS);
    // The mix must exercise both sides: texts that run and texts that are refused.
    assert.ok(figures.queriesRun > RUNS / 10 && figures.queriesRefused > RUNS / 10, JSON.stringify(figures));
    assert.ok(figures.conditionsRun > RUNS / 30 && figures.conditionsRefused > RUNS / 30, JSON.stringify(figures));
  });
});
