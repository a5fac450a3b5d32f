/**
 * IoT Hub's timestamps: UTC with 7 fractional digits (100 ns ticks) and `Z`, e.g.
 * `2024-05-10T07:11:30.9707312Z`. Pure formatting, so the workflows (which have no high-resolution
 * clock) and the rest of the hub (src/registry/time.ts) write the same format.
 */

/** A Date carries milliseconds; `subMillisecondTicks` (0–9999) fills the last four digits. */
export function formatHubTime(at: Date, subMillisecondTicks = 0): string {
  return `${at.toISOString().slice(0, 23)}${String(subMillisecondTicks).padStart(4, '0')}Z`;
}
