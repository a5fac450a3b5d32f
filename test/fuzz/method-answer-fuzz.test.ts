import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayHub, type GatewayTestHub } from '../helpers/gateway-hub.js';
import { FC_SEED } from '../query/query-arbitraries.js';
import { runMethodAnswerFuzz } from './mqtt-fuzz.js';
import { errorCollector } from '../helpers/capture-log.js';

// `npm run fuzz` runs the long version. A batch lasts up to the 5 s response timeout when an answer does not match its call.
const ANSWER_BATCHES = Number(process.env.FUZZ_METHOD_BATCHES ?? 6);
const PARALLEL = 8;

describe('MQTT fuzz: devices answering direct methods with random replies', () => {
  let hub: GatewayTestHub;
  const loggedErrors: unknown[] = [];

  before(async () => {
    hub = await startGatewayHub({ log: errorCollector(loggedErrors) });
  });
  after(() => hub?.dispose());

  it(`${ANSWER_BATCHES} batches of ${PARALLEL} calls: the caller gets the device's answer or 504, never a 5xx of the hub`, async (t) => {
    const figures = await runMethodAnswerFuzz({ hub, loggedErrors, runs: ANSWER_BATCHES, seed: FC_SEED, parallel: PARALLEL });
    t.diagnostic(JSON.stringify(figures));
    assert.ok(figures.answered > 0 && figures.timedOut > 0, JSON.stringify(figures));
  });
});
