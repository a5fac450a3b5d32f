// The new-job form's rollout fields as the API's `rollout` object (checked by the hub's own parser),
// the field a 400 of the hub names, and a job's settings in words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRollout, emptyRolloutForm, rolloutFieldOf, rolloutOf } from '../../console/src/lib/rollout.js';
import { parseRollout } from '../../src/jobs/rollout.js';
import { HubError } from '../../src/errors/hub-error.js';

describe('the console’s rollout form', () => {
  it('sends no rollout when none is set, so the job is an IoT Hub job as the SDKs create it', () => {
    assert.equal(rolloutOf(emptyRolloutForm(), true), undefined);
    const onlyEmpty = { ...emptyRolloutForm(), maxDevicesPerMinute: Number.NaN };
    assert.equal(rolloutOf(onlyEmpty, true), undefined);
  });

  it('assembles every setting as the hub takes it', () => {
    const form = emptyRolloutForm();
    form.maxDevicesPerMinute = 2000;
    form.ramp = { on: true, baseRatePerMinute: 60, incrementFactor: 2, every: 200, counting: 'numberOfSucceededDevices' };
    form.abort.push({ failureType: 'timedOut', thresholdPercentage: 5, minNumberOfExecutedDevices: 100 });
    form.retry.push({ failureType: 'offline', numberOfRetries: 3 });
    form.waitForOfflineDevicesInSeconds = 86400;
    const rollout = rolloutOf(form, true);
    assert.deepEqual(parseRollout(rollout, true), {
      maxDevicesPerMinute: 2000,
      exponentialRate: { baseRatePerMinute: 60, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededDevices: 200 } },
      abortCriteria: [{ failureType: 'timedOut', thresholdPercentage: 5, minNumberOfExecutedDevices: 100, action: 'cancel' }],
      retry: {
        criteria: [{ failureType: 'offline', numberOfRetries: 3 }],
        backoff: { initialIntervalInSeconds: 60, backoffCoefficient: 2, maximumIntervalInSeconds: 900 },
      },
      waitForOfflineDevicesInSeconds: 86400,
    });
    // A twin job has no retries or offline wait: the form leaves them out rather than be refused.
    assert.deepEqual(Object.keys(rolloutOf(form, false)!), ['maxDevicesPerMinute', 'exponentialRate', 'abortCriteria']);
  });

  it('leaves an empty required number out, and the hub’s message names the field it belongs to', () => {
    const form = emptyRolloutForm();
    form.ramp = { ...form.ramp, on: true, baseRatePerMinute: null, every: 10 };
    const refusal = (() => {
      try {
        parseRollout(rolloutOf(form, true), true);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    assert.ok(refusal instanceof HubError);
    assert.equal(refusal.message, 'rollout.exponentialRate.baseRatePerMinute must be a number');
    assert.equal(rolloutFieldOf(refusal.message), 'exponentialRate');
    assert.equal(rolloutFieldOf('rollout.exponentialRate.baseRatePerMinute must not be over rollout.maxDevicesPerMinute (10)'), 'exponentialRate');
    assert.equal(rolloutFieldOf('rollout.abortCriteria[1].thresholdPercentage must be between 0 and 100'), 'abortCriteria');
    assert.equal(rolloutFieldOf("Invalid query: unexpected 'AND' at position 3"), undefined);
  });

  it('describes a job’s settings, one line each', () => {
    assert.deepEqual(
      describeRollout({
        maxDevicesPerMinute: 2000,
        exponentialRate: { baseRatePerMinute: 60, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedDevices: 200 } },
        abortCriteria: [{ failureType: 'all', thresholdPercentage: 2, minNumberOfExecutedDevices: 50, action: 'cancel' }],
        retry: {
          criteria: [{ failureType: 'offline', numberOfRetries: 1 }],
          backoff: { initialIntervalInSeconds: 60, backoffCoefficient: 2, maximumIntervalInSeconds: 900 },
        },
        waitForOfflineDevicesInSeconds: 600,
      }),
      [
        ['Max rate', '2,000 devices/min'],
        ['Ramp', 'from 60 devices/min, ×2 every 200 devices started'],
        ['Abort when', 'all reaches 2% once 50 devices finished'],
        ['Retries', 'offline 1 time; after 60 s, ×2, at most 900 s'],
        ['Waits for offline devices', '600 s'],
      ],
    );
    assert.deepEqual(describeRollout({}), [['Max rate', 'no limit']]);
  });
});
