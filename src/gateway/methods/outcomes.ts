import type { MethodOutcome } from '../routing/device-router.js';

// The texts real IoT Hub returns for these cases (observed on IoT Hub: its REST API answers these with 404 DeviceNotOnline and 504 GatewayTimeout).

export const deviceNotOnline = (): MethodOutcome => ({
  kind: 'error',
  code: 'DeviceNotOnline',
  message: "The operation failed because the requested device isn't online or hasn't registered the direct method callback.",
});

export const connectTimedOut = (): MethodOutcome => ({
  kind: 'error',
  code: 'DeviceNotOnline',
  message: 'Timed out waiting for device to connect.',
});

export const gatewayTimeout = (): MethodOutcome => ({
  kind: 'error',
  code: 'GatewayTimeout',
  message: 'Timed out waiting for the response from device.',
});
