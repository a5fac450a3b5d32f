// The pure rules of rollouts: the rate of a ramp, the abort decision and its words, retries and
// their backoff, PATCH merging and the rules between fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentRate } from '../../workflows/pacing.js';
import { abortCheck } from '../../workflows/rollout-abort.js';
import { patchedRollout, rolloutInconsistency } from '../../workflows/rollout-settings.js';
import { backoffSeconds, retriesFor } from '../../workflows/retry-policy.js';
import { tickMs } from '../../workflows/rollout-dispatch.js';

const ramp = { baseRatePerMinute: 10, incrementFactor: 1.5, rateIncreaseCriteria: { numberOfSucceededDevices: 100 } };

describe('rollout rules', () => {
  it('rates: none without settings, the constant one, a ramp by succeeded devices up to the ceiling', () => {
    assert.equal(currentRate(undefined, { notified: 0, succeeded: 0 }), undefined);
    assert.equal(currentRate({ abortCriteria: [] }, { notified: 0, succeeded: 0 }), undefined);
    assert.equal(currentRate({ maxDevicesPerMinute: 500 }, { notified: 10_000, succeeded: 0 }), 500);
    assert.equal(currentRate({ exponentialRate: ramp }, { notified: 1000, succeeded: 99 }), 10);
    assert.equal(currentRate({ exponentialRate: ramp }, { notified: 1000, succeeded: 200 }), 22); // 10 × 1.5² = 22.5
    assert.equal(currentRate({ maxDevicesPerMinute: 40, exponentialRate: ramp }, { notified: 0, succeeded: 10_000 }), 40);
    assert.equal(currentRate({ exponentialRate: ramp }, { notified: 0, succeeded: 1e9 }), 100_000, 'never past the API ceiling, never Infinity');
  });

  it('ticks: a second, longer when under a device a second', () => {
    assert.equal(tickMs(6000), 1000);
    assert.equal(tickMs(60), 1000);
    assert.equal(tickMs(20), 3000);
  });

  it('aborts once enough devices finished and the share reaches the threshold, naming the criterion', () => {
    const criteria = [
      { failureType: 'offline' as const, thresholdPercentage: 50, minNumberOfExecutedDevices: 10, action: 'cancel' as const },
      { failureType: 'all' as const, thresholdPercentage: 20, minNumberOfExecutedDevices: 100, action: 'cancel' as const },
    ];
    const finished = (succeeded: number, failures: Partial<Record<'offline' | 'timedOut' | 'errorStatus' | 'other', number>>) => {
      const all = { offline: 0, timedOut: 0, errorStatus: 0, other: 0, ...failures };
      return { succeeded: succeeded + all.errorStatus, failed: all.offline + all.timedOut + all.other, failures: all };
    };
    assert.equal(abortCheck(criteria, finished(0, { offline: 9 })), undefined, 'under the minimum');
    assert.equal(abortCheck(criteria, finished(6, { offline: 5 })), undefined, '45% offline');
    assert.equal(
      abortCheck(criteria, finished(5, { offline: 5 })),
      'Aborted by rollout.abortCriteria[0] (offline at 50% after 10 devices): 5 of 10 finished devices (50.0%) were offline',
    );
    assert.equal(
      abortCheck(criteria, finished(79, { timedOut: 10, errorStatus: 11 })),
      'Aborted by rollout.abortCriteria[1] (all at 20% after 100 devices): 21 of 100 finished devices (21.0%) failed',
    );
    assert.equal(abortCheck(undefined, finished(0, { offline: 100 })), undefined);
  });

  it("retries: a failure type's own criterion, else all's; backoff grows to its maximum", () => {
    const retry = {
      criteria: [
        { failureType: 'offline' as const, numberOfRetries: 3 },
        { failureType: 'all' as const, numberOfRetries: 1 },
      ],
      backoff: { initialIntervalInSeconds: 10, backoffCoefficient: 3, maximumIntervalInSeconds: 60 },
    };
    assert.equal(retriesFor(retry, 'offline'), 3);
    assert.equal(retriesFor(retry, 'timedOut'), 1);
    assert.equal(retriesFor({ ...retry, criteria: [{ failureType: 'offline', numberOfRetries: 3 }] }, 'errorStatus'), 0);
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => backoffSeconds(retry.backoff, attempt)),
      [10, 30, 60, 60],
    );
  });

  it('PATCH replaces given fields, null removes them; the rules between fields hold after it', () => {
    const before = { maxDevicesPerMinute: 100, exponentialRate: { ...ramp, baseRatePerMinute: 50 } };
    assert.deepEqual(patchedRollout(before, { exponentialRate: null, waitForOfflineDevicesInSeconds: 60 }), {
      maxDevicesPerMinute: 100,
      waitForOfflineDevicesInSeconds: 60,
    });
    assert.equal(
      rolloutInconsistency(patchedRollout(before, { maxDevicesPerMinute: 20 }), true),
      'rollout.exponentialRate.baseRatePerMinute must not be over rollout.maxDevicesPerMinute (20)',
    );
    assert.equal(rolloutInconsistency(before, true), undefined);
  });
});
