import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyDevicePublish, filterMatches, isSubscriptionAllowed } from '../../src/gateway/topics.js';

describe('device publish topics', () => {
  it('recognises the SDK topics', () => {
    assert.deepEqual(classifyDevicePublish('$iothub/methods/res/200/?$rid=1a', 'dev1'), { kind: 'methodResponse', status: 200, rid: '1a' });
    assert.deepEqual(classifyDevicePublish('$iothub/methods/res/-1?$rid=7', 'dev1'), { kind: 'methodResponse', status: -1, rid: '7' });
    assert.deepEqual(classifyDevicePublish('$iothub/twin/GET/?$rid=abc', 'dev1'), { kind: 'twinGet', rid: 'abc' });
    assert.deepEqual(classifyDevicePublish('$iothub/twin/PATCH/properties/reported/?$rid=abc&$version=3', 'dev1'), {
      kind: 'twinReported',
      rid: 'abc',
    });
    assert.deepEqual(classifyDevicePublish('devices/dev1/messages/events/', 'dev1'), { kind: 'telemetry' });
    assert.deepEqual(classifyDevicePublish('devices/dev1/messages/events/%24.mid=1&a=b', 'dev1'), { kind: 'telemetry' });
  });

  it('reads the request id wherever it stands in the query, escaped or not', () => {
    assert.deepEqual(classifyDevicePublish('$iothub/twin/GET/?$version=3&$rid=x1', 'dev1'), { kind: 'twinGet', rid: 'x1' });
    assert.deepEqual(classifyDevicePublish('$iothub/twin/GET/?$rid=a%20b', 'dev1'), { kind: 'twinGet', rid: 'a b' });
    assert.deepEqual(classifyDevicePublish('$iothub/twin/GET/?%24rid=9', 'dev1'), { kind: 'twinGet', rid: '9' });
    assert.deepEqual(classifyDevicePublish('$iothub/twin/GET/?$rid=a+b', 'dev1'), { kind: 'twinGet', rid: 'a b' });
    assert.equal(classifyDevicePublish('$iothub/twin/GET/?$rid=', 'dev1'), undefined);
  });

  // Found by the MQTT fuzz: `$rid=%00` was answered on a topic name containing U+0000.
  it('refuses a request id the answer topic could not carry (a wildcard or U+0000 once decoded, or text that reads back differently)', () => {
    for (const rid of ['%23', '%2B', '%00', 'a%23b', '1%26$rid=2', '%2525']) {
      assert.equal(classifyDevicePublish(`$iothub/twin/GET/?$rid=${rid}`, 'dev1'), undefined, rid);
      assert.equal(classifyDevicePublish(`$iothub/methods/res/200/?$rid=${rid}`, 'dev1'), undefined, rid);
    }
  });

  it('refuses other devices, hub-to-device topics and malformed ones', () => {
    for (const topic of [
      'devices/dev2/messages/events/',
      'devices/dev1/messages/eventsX',
      'devices/dev1/messages/devicebound/',
      '$iothub/methods/POST/reboot/?$rid=1',
      '$iothub/twin/res/200/?$rid=1',
      '$iothub/twin/PATCH/properties/desired/?$version=2',
      '$iothub/twin/GET/',
      '$iothub/twin/GET/?$version=1',
      '$iothub/methods/res/ok/?$rid=1',
      'anything/else',
    ]) {
      assert.equal(classifyDevicePublish(topic, 'dev1'), undefined, topic);
    }
  });
});

describe('subscription ACL', () => {
  it('allows the $iothub tree and the device own tree only', () => {
    assert.equal(isSubscriptionAllowed('$iothub/methods/POST/#', 'dev1'), true);
    assert.equal(isSubscriptionAllowed('$iothub/twin/res/#', 'dev1'), true);
    assert.equal(isSubscriptionAllowed('devices/dev1/messages/devicebound/#', 'dev1'), true);
    for (const filter of ['#', '+/#', 'devices/+/messages/devicebound/#', 'devices/dev2/messages/devicebound/#', '$SYS/#', 'devices/dev1']) {
      assert.equal(isSubscriptionAllowed(filter, 'dev1'), false, filter);
    }
  });

  it('matches MQTT filters', () => {
    assert.equal(filterMatches('$iothub/methods/POST/#', '$iothub/methods/POST/m/?$rid=1'), true);
    assert.equal(filterMatches('$iothub/+/POST/#', '$iothub/methods/POST/m/?$rid=1'), true);
    assert.equal(filterMatches('$iothub/twin/#', '$iothub/methods/POST/m/?$rid=1'), false);
    assert.equal(filterMatches('a/+', 'a/b/c'), false);
    assert.equal(filterMatches('a/b', 'a/b'), true);
  });
});
