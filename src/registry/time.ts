import { formatHubTime } from '../../workflows/hub-time.js';

export { formatHubTime };

/** IoT Hub's value for "never" (e.g. `lastActivityTime` of a device that never connected). */
export const NEVER = '0001-01-01T00:00:00Z';

/** The current time in IoT Hub's format; the sub-millisecond digits come from the high-resolution clock. */
export function hubNow(): string {
  return formatHubTime(new Date(), Number((process.hrtime.bigint() / 100n) % 10_000n));
}
