import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewaySettingsError, loadGatewaySettings } from '../../src/gateway/settings.js';

describe('gateway settings', () => {
  it('defaults to MQTTS on 8883, no WebSockets, in-process routing', () => {
    assert.deepEqual(loadGatewaySettings({}), { mqttsPort: 8883, wsPort: undefined, redisUrl: undefined, redisPrefix: undefined });
    assert.deepEqual(loadGatewaySettings({ HUB_MQTTS_PORT: '', REDIS_URL: '' }).mqttsPort, 8883);
  });

  it('reads the variables', () => {
    assert.deepEqual(loadGatewaySettings({ HUB_MQTTS_PORT: '18883', HUB_MQTT_WSS_PORT: '0', REDIS_URL: 'redis://127.0.0.1:6379', HUB_REDIS_PREFIX: 'hub2:' }), {
      mqttsPort: 18883,
      wsPort: 0,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'hub2:',
    });
  });

  it('reads the device CA file setting only when set', () => {
    assert.equal(loadGatewaySettings({ HUB_DEVICE_CA_FILE: '' }).deviceCaFile, undefined);
    assert.equal(loadGatewaySettings({ HUB_DEVICE_CA_FILE: '/etc/hub/device-ca.pem' }).deviceCaFile, '/etc/hub/device-ca.pem');
  });

  it('names the variable of a bad value', () => {
    assert.throws(
      () => loadGatewaySettings({ HUB_MQTTS_PORT: '70000' }),
      (err: unknown) => err instanceof GatewaySettingsError && /HUB_MQTTS_PORT/.test(err.message),
    );
    assert.throws(() => loadGatewaySettings({ HUB_MQTT_WSS_PORT: 'x' }), /HUB_MQTT_WSS_PORT/);
    assert.throws(() => loadGatewaySettings({ REDIS_URL: 'localhost:6379' }), /REDIS_URL.*redis:\/\//);
  });
});
