import type { DesiredPropertiesPatch } from '../../registry/model.js';
import type { MethodDispatcher } from '../methods/dispatcher.js';
import type { GatewayMetrics } from '../metrics.js';
import type { DeviceEndpoint } from '../routing/device-router.js';
import { DESIRED_SUBSCRIPTION, desiredPatchTopic } from '../topics.js';
import type { DeviceConnections } from './connections.js';
import { sendToDevice } from './send.js';
import { isSubscribedTo } from './subscriptions.js';

const SAMPLE_DESIRED_TOPIC = desiredPatchTopic(1);

/** What this gateway process offers the router for one device connected to it. */
export function createDeviceEndpoint(
  deviceId: string,
  connections: DeviceConnections,
  dispatcher: MethodDispatcher,
  metrics: GatewayMetrics,
  verifyIdentity: (deviceId: string) => void,
): DeviceEndpoint {
  return {
    invokeMethod: (call) => dispatcher.invoke(deviceId, call),
    notifyDesired: (change: DesiredPropertiesPatch) => {
      const client = connections.current(deviceId);
      // A persistent session (clean=false, what the SDK uses) may hold a desired subscription from
      // before a reconnect that the SDK will not repeat, so it gets the patch too.
      if (!client || (client.clean && !isSubscribedTo(client, SAMPLE_DESIRED_TOPIC, DESIRED_SUBSCRIPTION))) return;
      metrics.count('desiredNotifications');
      sendToDevice(client, desiredPatchTopic(change.version), JSON.stringify({ ...change.patch, $version: change.version }));
    },
    replacedElsewhere: (connectedAt) => connections.replacedElsewhere(deviceId, connectedAt),
    identityChanged: () => verifyIdentity(deviceId),
  };
}
