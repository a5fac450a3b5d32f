import type { DesiredPropertiesPatch, Device } from './model.js';

/**
 * Seam between the writers of the registry (REST API, twin jobs) and the device gateway. Each call
 * comes after the write has been committed. Implementations must not throw: delivery problems are
 * theirs to log. A returned promise is not awaited by HTTP handlers (IoT Hub answers before devices
 * are told).
 *
 * - `onDesiredChange`: a write changed desired properties; the gateway delivers the patch with the
 *   new desired `$version` to the device (possibly through another process).
 * - `onDeviceChange`: a device identity was replaced (`PUT /devices/{id}` with If-Match: status, keys,
 *   …; `device` is the identity as committed) or deleted (`device` undefined). The gateway process
 *   holding the device's connection (any process: it travels through the gateway's DeviceRouter like
 *   desired patches) re-reads the identity and drops each connection it no longer admits — device
 *   deleted or disabled, or the key that signed the connection's token no longer one of its keys —
 *   so such a device cannot answer direct methods; a re-keyed device reconnects with its new key.
 *   Events from different processes may arrive out of order: act on the store's current identity.
 *   Optional: a notifier interested in desired changes only may leave it out.
 */
export interface HubEvents {
  onDesiredChange(change: DesiredPropertiesPatch): void | Promise<void>;
  onDeviceChange?(deviceId: string, device: Device | undefined): void | Promise<void>;
  /**
   * Twins were created or written by the service (tags, desired properties, identities): automatic
   * device configurations re-evaluate their target conditions. Optional, and coalesced by listeners.
   */
  onTwinsChanged?(): void;
}

/** For a hub without a device gateway (tests of the REST API, registry-only processes). */
export const NO_HUB_EVENTS: HubEvents = { onDesiredChange() {} };
