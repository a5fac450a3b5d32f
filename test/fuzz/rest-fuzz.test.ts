import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { FC_SEED } from '../query/query-arbitraries.js';
import { runRegistryFuzz } from './rest-fuzz.js';

// `npm run fuzz` runs the long version.
const RUNS = Number(process.env.FUZZ_REST_RUNS ?? 1200);

for (const variant of STORE_VARIANTS) {
  describe(`REST fuzz (${variant.name})`, { skip: variant.skip }, () => {
    let hub: TestHub;
    before(async () => {
      hub = await startTestHub(variant);
    });
    after(() => hub?.dispose());

    it(`${RUNS} twin, device and query requests: 2xx or an IoT Hub 4xx, nothing half-written`, async (t) => {
      const figures = await runRegistryFuzz({ hub, runs: RUNS, seed: FC_SEED });
      t.diagnostic(JSON.stringify(figures));
      for (const target of ['PATCH /twins', 'PUT /twins', 'PUT /devices', 'POST /devices/query']) {
        const counts = figures.byTarget[target];
        assert.ok(counts && counts.ok > 0 && counts.refused > 0, `${target} saw both outcomes: ${JSON.stringify(figures.byTarget)}`);
      }
    });
  });
}
