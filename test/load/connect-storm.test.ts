import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startGatewayHub, type GatewayTestHub } from '../helpers/gateway-hub.js';
import { connectedInRegistry, runConnectStorm, type Storm } from './connect-storm.js';

// bench:connect-storm runs 10,000 devices and reports the times; this one asserts no timing, only that the hub keeps answering.
const DEVICES = 1000;

describe(`connect storm: ${DEVICES} devices connecting at once`, () => {
  let hub: GatewayTestHub;
  let storm: Storm | undefined;

  before(async () => {
    hub = await startGatewayHub({ activityIntervalMs: 5000 });
  });
  after(async () => {
    storm?.stop();
    await hub?.dispose();
  });

  it('every device connects, every REST call made during the storm answers 200, and the registry shows them all', async (t) => {
    const devices = [];
    for (let i = 0; i < DEVICES; i++) devices.push(await hub.addDevice(`storm-${String(i).padStart(4, '0')}`));
    storm = await runConnectStorm({
      hub: hub.hub,
      gatewayPort: hub.gateway.port,
      devices,
      concurrency: DEVICES,
      retryForMs: 120_000,
      probeDeviceId: 'storm-0000',
      probeIntervalMs: 20,
    });
    const { figures } = storm;
    t.diagnostic(JSON.stringify(figures));
    assert.equal(figures.failed, 0, figures.firstErrors.join('; '));
    assert.equal(figures.connectMs.count, DEVICES);
    assert.ok(figures.rest.count >= 3, `the probe ran during the storm (${figures.rest.count} calls)`);
    assert.deepEqual(figures.rest.errors, []);
    assert.deepEqual(Object.keys(figures.rest.statuses), ['200'], JSON.stringify(figures.rest.statuses));

    await eventually(() => hub.gateway.connectedDevices === DEVICES, 'every device to be online', 30_000);
    const connectedRows = () => connectedInRegistry(hub.hub);
    await eventually(async () => (await connectedRows()) === DEVICES, 'every device to show Connected', 30_000);

    // The disconnect storm: all at once again, and the registry follows.
    await storm.closeDevices();
    await eventually(() => hub.gateway.connectedDevices === 0, 'every device to be offline', 30_000);
    await eventually(async () => (await connectedRows()) === 0, 'every device to show Disconnected', 30_000);
  });
});
