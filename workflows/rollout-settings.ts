/** Rollout settings after a PATCH, and the rules between their fields (pure: the API and the workflow's update validator share them). */
import type { Rollout, RolloutPatch } from './rollout-types.js';

/** The settings after a PATCH: each field given replaces the job's, null removes it. */
export function patchedRollout(rollout: Rollout, patch: RolloutPatch): Rollout {
  const next: Record<string, unknown> = { ...rollout };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as Rollout;
}

/** What breaks the rules between fields (the ramp's base within the ceiling; the offline wait and retries for method jobs only), if anything. */
export function rolloutInconsistency(rollout: Rollout, method: boolean, root = 'rollout'): string | undefined {
  const { exponentialRate: ramp, maxDevicesPerMinute: max } = rollout;
  if (ramp && max !== undefined && ramp.baseRatePerMinute > max) {
    return `${root}.exponentialRate.baseRatePerMinute must not be over ${root}.maxDevicesPerMinute (${max})`;
  }
  if (!method && rollout.waitForOfflineDevicesInSeconds !== undefined)
    return `${root}.waitForOfflineDevicesInSeconds applies to scheduleDeviceMethod jobs only`;
  // A twin update fails for reasons a retry does not change (the device is gone, a limit is hit).
  if (!method && rollout.retry !== undefined) return `${root}.retry applies to scheduleDeviceMethod jobs only`;
  return undefined;
}
