/**
 * The rate of a rollout (pure, deterministic): constant (maxDevicesPerMinute) or exponential (AWS
 * IoT Jobs' exponentialRate: start at the base rate and multiply it by incrementFactor each time
 * another numberOfNotifiedDevices were started, or numberOfSucceededDevices succeeded, never above
 * maxDevicesPerMinute; https://docs.aws.amazon.com/iot/latest/apireference/API_ExponentialRolloutRate.html).
 */
import type { Rollout } from './rollout-types.js';

/** The ceiling when a ramp has no maxDevicesPerMinute (the API's upper limit). */
export const RATE_CEILING = 100_000;

/** What the ramp counts. */
export interface RampCounts {
  /** Devices started (each device once, whatever its retries). */
  notified: number;
  succeeded: number;
}

/** Devices per minute now, or undefined when the rollout sets no rate (the job runs as fast as it can). */
export function currentRate(rollout: Rollout | undefined, counts: RampCounts): number | undefined {
  if (!rollout) return undefined;
  const { maxDevicesPerMinute: max, exponentialRate: ramp } = rollout;
  if (!ramp) return max;
  const criteria = ramp.rateIncreaseCriteria;
  const [count, step] =
    'numberOfNotifiedDevices' in criteria ? [counts.notified, criteria.numberOfNotifiedDevices] : [counts.succeeded, criteria.numberOfSucceededDevices];
  const increases = Math.floor(count / step);
  const ceiling = max ?? RATE_CEILING;
  // Capped exponent so that a long ramp cannot overflow to Infinity before the cap applies.
  const rate = ramp.baseRatePerMinute * ramp.incrementFactor ** Math.min(increases, 1000);
  return Math.min(ceiling, Math.floor(rate));
}
