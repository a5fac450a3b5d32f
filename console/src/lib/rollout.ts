/** A job's rollout settings in words, and the new-job form's rollout fields as the API's `rollout` object. */
import type { AbortCriterion, FailureTypeCriterion, Rollout, RetryCriterion } from './types.js';

export type RampCounting = 'numberOfNotifiedDevices' | 'numberOfSucceededDevices';

/** A number input's value: empty is null (and NaN when the browser cannot read it). */
export type NumberInput = number | null | undefined;

export interface RolloutForm {
  maxDevicesPerMinute: NumberInput;
  ramp: { on: boolean; baseRatePerMinute: NumberInput; incrementFactor: NumberInput; every: NumberInput; counting: RampCounting };
  abort: Array<{ failureType: FailureTypeCriterion; thresholdPercentage: NumberInput; minNumberOfExecutedDevices: NumberInput }>;
  retry: Array<{ failureType: FailureTypeCriterion; numberOfRetries: NumberInput }>;
  backoff: { initialIntervalInSeconds: NumberInput; backoffCoefficient: NumberInput; maximumIntervalInSeconds: NumberInput };
  waitForOfflineDevicesInSeconds: NumberInput;
}

/** The form's rollout fields whose 400 messages the page shows next to them (the API's names). */
export type RolloutField = 'maxDevicesPerMinute' | 'exponentialRate' | 'abortCriteria' | 'retry' | 'waitForOfflineDevicesInSeconds';
export const ROLLOUT_FIELDS: readonly RolloutField[] = ['exponentialRate', 'maxDevicesPerMinute', 'abortCriteria', 'retry', 'waitForOfflineDevicesInSeconds'];

/** The field a message of the hub names (`rollout.abortCriteria[0].thresholdPercentage must be …`), if any; the ramp first, as its base is checked against the ceiling. */
export const rolloutFieldOf = (message: string): RolloutField | undefined => ROLLOUT_FIELDS.find((field) => message.includes(`rollout.${field}`));

export const emptyRolloutForm = (): RolloutForm => ({
  maxDevicesPerMinute: null,
  ramp: { on: false, baseRatePerMinute: null, incrementFactor: 2, every: null, counting: 'numberOfNotifiedDevices' },
  abort: [],
  retry: [],
  backoff: { initialIntervalInSeconds: 60, backoffCoefficient: 2, maximumIntervalInSeconds: 900 },
  waitForOfflineDevicesInSeconds: null,
});

const given = (value: NumberInput): value is number => typeof value === 'number' && !Number.isNaN(value);
/** Set numbers only: an empty required one is left out, and the hub's message names it. */
const numbers = <T extends Record<string, NumberInput>>(fields: T): Partial<Record<keyof T, number>> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => given(value))) as Partial<Record<keyof T, number>>;

/**
 * The `rollout` object of the form, or undefined when it sets nothing (the job is then an IoT Hub
 * job as the SDKs create it). The hub checks every field; the page only assembles them.
 */
export function rolloutOf(form: RolloutForm, method: boolean): Record<string, unknown> | undefined {
  const rollout: Record<string, unknown> = {};
  if (given(form.maxDevicesPerMinute)) rollout.maxDevicesPerMinute = form.maxDevicesPerMinute;
  if (form.ramp.on) {
    const { baseRatePerMinute, incrementFactor, every, counting } = form.ramp;
    rollout.exponentialRate = {
      ...numbers({ baseRatePerMinute, incrementFactor }),
      rateIncreaseCriteria: given(every) ? { [counting]: every } : {},
    };
  }
  if (form.abort.length > 0) rollout.abortCriteria = form.abort.map(({ failureType, ...figures }) => ({ failureType, ...numbers(figures), action: 'cancel' }));
  if (method && form.retry.length > 0) {
    rollout.retry = {
      criteria: form.retry.map(({ failureType, numberOfRetries }) => ({ failureType, ...numbers({ numberOfRetries }) })),
      backoff: numbers(form.backoff),
    };
  }
  if (method && given(form.waitForOfflineDevicesInSeconds)) rollout.waitForOfflineDevicesInSeconds = form.waitForOfflineDevicesInSeconds;
  return Object.keys(rollout).length > 0 ? rollout : undefined;
}

const perMinute = (n: number): string => `${n.toLocaleString()} devices/min`;
const abortText = (c: AbortCriterion): string => `${c.failureType} reaches ${c.thresholdPercentage}% once ${c.minNumberOfExecutedDevices} devices finished`;
const retryText = (c: RetryCriterion): string => `${c.failureType} ${c.numberOfRetries} time${c.numberOfRetries === 1 ? '' : 's'}`;

/** The settings a job runs with, one line each. */
export function describeRollout(rollout: Rollout): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  lines.push(['Max rate', rollout.maxDevicesPerMinute === undefined ? 'no limit' : perMinute(rollout.maxDevicesPerMinute)]);
  const ramp = rollout.exponentialRate;
  if (ramp) {
    const [counted, every] = Object.entries(ramp.rateIncreaseCriteria)[0] ?? ['', 0];
    const what = counted === 'numberOfSucceededDevices' ? 'succeeded' : 'started';
    lines.push(['Ramp', `from ${perMinute(ramp.baseRatePerMinute)}, ×${ramp.incrementFactor} every ${every} devices ${what}`]);
  }
  if (rollout.abortCriteria) lines.push(['Abort when', rollout.abortCriteria.map(abortText).join('; ')]);
  if (rollout.retry) {
    const { initialIntervalInSeconds: first, backoffCoefficient: factor, maximumIntervalInSeconds: most } = rollout.retry.backoff;
    lines.push(['Retries', `${rollout.retry.criteria.map(retryText).join(', ')}; after ${first} s, ×${factor}, at most ${most} s`]);
  }
  if (rollout.waitForOfflineDevicesInSeconds !== undefined) lines.push(['Waits for offline devices', `${rollout.waitForOfflineDevicesInSeconds} s`]);
  return lines;
}
