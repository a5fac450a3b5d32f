import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayHub, type GatewayTestHub } from '../helpers/gateway-hub.js';
import { FC_SEED } from '../query/query-arbitraries.js';
import { runMqttFuzz } from './mqtt-fuzz.js';
import { errorCollector } from '../helpers/capture-log.js';

// `npm run fuzz` runs the long version.
const BATCHES = Number(process.env.FUZZ_MQTT_BATCHES ?? 25);
const PARALLEL = 8;

describe('MQTT fuzz: random and mutated packets after a valid CONNECT', () => {
  let hub: GatewayTestHub;
  const loggedErrors: unknown[] = [];

  before(async () => {
    hub = await startGatewayHub({ log: errorCollector(loggedErrors) });
  });
  after(() => hub?.dispose());

  it(`${BATCHES} batches of ${PARALLEL} connections: the broker does what MQTT requires and keeps serving others`, async (t) => {
    const figures = await runMqttFuzz({ hub, loggedErrors, runs: BATCHES, seed: FC_SEED, parallel: PARALLEL });
    assert.equal(figures.connections, BATCHES * PARALLEL);
    t.diagnostic(JSON.stringify(figures));
    assert.ok(figures.closed > 0 && figures.answered > 0, JSON.stringify(figures));
  });
});
