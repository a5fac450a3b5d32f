/** IoT Hub's value for "never" (e.g. `lastActivityTime` of a device that never connected). */
export const NEVER = '0001-01-01T00:00:00Z';

/**
 * IoT Hub writes UTC timestamps with 7 fractional digits (100 ns ticks) and `Z`,
 * e.g. `2024-05-10T07:11:30.9707312Z`. A Date carries milliseconds; `subMillisecondTicks`
 * (0–9999) fills the last four digits.
 */
export function formatHubTime(at: Date, subMillisecondTicks = 0): string {
  return `${at.toISOString().slice(0, 23)}${String(subMillisecondTicks).padStart(4, '0')}Z`;
}

/** The current time in IoT Hub's format; the sub-millisecond digits come from the high-resolution clock. */
export function hubNow(): string {
  return formatHubTime(new Date(), Number((process.hrtime.bigint() / 100n) % 10_000n));
}
