/**
 * A job's live rollout control, owned by the job workflow: the effective settings (PATCH replaces
 * them), paused or not, and what the dispatcher tells about its pace and its waiting devices.
 * Whoever dispatches (the job itself or its rollout shard) follows it through `onChange`.
 */
import { currentRate, type RampCounts } from './pacing.js';
import { patchedRollout } from './rollout-settings.js';
import type { Rollout, RolloutPatch, RolloutView } from './rollout-types.js';

/** What the dispatcher needs of the control: settings and pause (sent to a shard as one signal). */
export interface RolloutCommand {
  rollout: Rollout;
  paused: boolean;
}

/** What the dispatcher tells back. */
export interface DispatchStatus {
  ramp: RampCounts;
  waitingForRetryCount: number;
  waitingForDeviceCount: number;
}

export class RolloutControl {
  private settings: Rollout;
  private isPaused = false;
  /** Shown in the JobResponse: the job has settings, or was paused or edited. */
  private shown: boolean;
  private status: DispatchStatus = { ramp: { notified: 0, succeeded: 0 }, waitingForRetryCount: 0, waitingForDeviceCount: 0 };
  private readonly listeners: Array<(command: RolloutCommand) => void> = [];

  constructor(rollout: Rollout | undefined) {
    this.settings = rollout ?? {};
    this.shown = rollout !== undefined;
  }

  get rollout(): Rollout {
    return this.settings;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  command(): RolloutCommand {
    return { rollout: this.settings, paused: this.isPaused };
  }

  pause(): void {
    this.set({ paused: true });
  }

  resume(): void {
    this.set({ paused: false });
  }

  edit(patch: RolloutPatch): void {
    this.set({ rollout: patchedRollout(this.settings, patch) });
  }

  dispatched(status: DispatchStatus): void {
    this.status = status;
  }

  /** `listener` runs on every change of settings or pause. */
  onChange(listener: (command: RolloutCommand) => void): void {
    this.listeners.push(listener);
  }

  view(): RolloutView | undefined {
    if (!this.shown) return undefined;
    const rate = currentRate(this.settings, this.status.ramp);
    const { waitingForRetryCount, waitingForDeviceCount } = this.status;
    return {
      rollout: this.settings,
      paused: this.isPaused,
      ...(rate !== undefined && { currentRatePerMinute: rate }),
      waitingForRetryCount,
      waitingForDeviceCount,
    };
  }

  private set(change: Partial<RolloutCommand>): void {
    this.settings = change.rollout ?? this.settings;
    this.isPaused = change.paused ?? this.isPaused;
    this.shown = true;
    for (const listener of this.listeners) listener(this.command());
  }
}
