// The rollout extension of jobs v2 over HTTP: the `rollout` object validated field by field (400
// ArgumentInvalid naming its path, nothing created), its fields in the JobResponse only when given,
// PATCH, pause and resume with their 4xx for a job in the wrong state or unknown; on both stores.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertHubError, hubRequest, type HubResponse } from '../helpers/hub-http.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { startJobsHub, type JobsTestHub } from './helpers/jobs-hub.js';

const FAR = '2099-01-01T00:00:00Z';
const method = { methodName: 'upgrade', payload: null, responseTimeoutInSeconds: 30 };
const methodJob = (rollout?: unknown) => ({
  type: 'scheduleDeviceMethod',
  queryCondition: '*',
  startTime: FAR,
  cloudToDeviceMethod: method,
  ...(rollout !== undefined && { rollout }),
});
const twinJob = (rollout: unknown) => ({ type: 'scheduleUpdateTwin', queryCondition: '*', startTime: FAR, updateTwin: { tags: { a: 1 } }, rollout });
const abort = (extra: Record<string, unknown> = {}) => ({
  failureType: 'timedOut',
  thresholdPercentage: 10,
  minNumberOfExecutedDevices: 50,
  action: 'cancel',
  ...extra,
});
const retry = (extra: Record<string, unknown> = {}) => ({
  criteria: [{ failureType: 'offline', numberOfRetries: 3 }],
  backoff: { initialIntervalInSeconds: 10, backoffCoefficient: 2, maximumIntervalInSeconds: 600 },
  ...extra,
});
const ramp = { baseRatePerMinute: 10, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededDevices: 100 } };

/** [body, exact message] */
const REFUSED: Array<[unknown, string]> = [
  [methodJob('fast'), 'rollout must be a JSON object'],
  [methodJob({ maxDevicesPerMinute: 0 }), 'rollout.maxDevicesPerMinute must be between 1 and 100000'],
  [methodJob({ maxDevicesPerMinute: 100_001 }), 'rollout.maxDevicesPerMinute must be between 1 and 100000'],
  [methodJob({ maxDevicesPerMinute: 1.5 }), 'rollout.maxDevicesPerMinute must be an integer'],
  [methodJob({ maxDevicesPerMinute: '60' }), 'rollout.maxDevicesPerMinute must be a number'],
  [methodJob({ speed: 1 }), 'rollout.speed is not a rollout setting'],
  [methodJob({ exponentialRate: { ...ramp, incrementFactor: 1 } }), 'rollout.exponentialRate.incrementFactor must be over 1 and at most 5'],
  [methodJob({ exponentialRate: { ...ramp, incrementFactor: 5.5 } }), 'rollout.exponentialRate.incrementFactor must be over 1 and at most 5'],
  [
    methodJob({ exponentialRate: { ...ramp, rateIncreaseCriteria: {} } }),
    'rollout.exponentialRate.rateIncreaseCriteria must be either {numberOfNotifiedDevices} or {numberOfSucceededDevices}',
  ],
  [methodJob({ maxDevicesPerMinute: 5, exponentialRate: ramp }), 'rollout.exponentialRate.baseRatePerMinute must not be over rollout.maxDevicesPerMinute (5)'],
  [methodJob({ abortCriteria: [abort(), abort({ thresholdPercentage: 101 })] }), 'rollout.abortCriteria[1].thresholdPercentage must be between 0 and 100'],
  [methodJob({ abortCriteria: [abort({ thresholdPercentage: 0 })] }), 'rollout.abortCriteria[0].thresholdPercentage must be between 0 and 100'],
  [
    methodJob({ abortCriteria: [abort({ failureType: 'rejected' })] }),
    'rollout.abortCriteria[0].failureType must be one of offline, timedOut, errorStatus, all',
  ],
  [methodJob({ abortCriteria: [abort({ action: 'pause' })] }), "rollout.abortCriteria[0].action must be 'cancel'"],
  [
    methodJob({ abortCriteria: [abort({ minNumberOfExecutedDevices: 0 })] }),
    'rollout.abortCriteria[0].minNumberOfExecutedDevices must be between 1 and 1000000000',
  ],
  [methodJob({ abortCriteria: [abort(), abort()] }), 'rollout.abortCriteria must not list a failureType twice'],
  [methodJob({ abortCriteria: [] }), 'rollout.abortCriteria must list at least one criterion'],
  [
    methodJob({ retry: retry({ criteria: [{ failureType: 'offline', numberOfRetries: 11 }] }) }),
    'rollout.retry.criteria[0].numberOfRetries must be between 0 and 10',
  ],
  [
    methodJob({ retry: retry({ backoff: { initialIntervalInSeconds: 60, backoffCoefficient: 2, maximumIntervalInSeconds: 30 } }) }),
    'rollout.retry.backoff.maximumIntervalInSeconds must not be under initialIntervalInSeconds',
  ],
  [methodJob({ retry: { criteria: [{ failureType: 'all', numberOfRetries: 1 }] } }), 'rollout.retry.backoff must be a JSON object'],
  [methodJob({ waitForOfflineDevicesInSeconds: 30 * 24 * 3600 + 1 }), 'rollout.waitForOfflineDevicesInSeconds must be between 0 and 2592000'],
  [twinJob({ waitForOfflineDevicesInSeconds: 60 }), 'rollout.waitForOfflineDevicesInSeconds applies to scheduleDeviceMethod jobs only'],
  [twinJob({ retry: retry() }), 'rollout.retry applies to scheduleDeviceMethod jobs only'],
];

/** PATCH bodies refused by jobPatchSchema (the schema the OpenAPI document shows): [body, exact message]. */
const PATCH_REFUSED: Array<[unknown, string]> = [
  [[], 'The job patch must be a JSON object'],
  [{}, 'The job patch must change rollout or maxExecutionTimeInSeconds'],
  [{ status: 'running' }, 'status is not a field of a job patch (rollout, maxExecutionTimeInSeconds)'],
  [{ rollout: 'fast' }, 'rollout must be a JSON object'],
  [{ rollout: { speed: 1 } }, 'rollout.speed is not a rollout setting'],
  [{ rollout: { abortCriteria: [abort({ thresholdPercentage: 200 })] } }, 'rollout.abortCriteria[0].thresholdPercentage must be between 0 and 100'],
  [{ rollout: { abortCriteria: [abort({ extra: 1 })] } }, 'rollout.abortCriteria[0].extra is not a rollout setting'],
  [{ rollout: { exponentialRate: null, maxDevicesPerMinute: 0 } }, 'rollout.maxDevicesPerMinute must be between 1 and 100000'],
  [
    { rollout: { retry: retry({ backoff: { initialIntervalInSeconds: 60, backoffCoefficient: 2, maximumIntervalInSeconds: 30 } }) } },
    'rollout.retry.backoff.maximumIntervalInSeconds must not be under initialIntervalInSeconds',
  ],
  [{ maxExecutionTimeInSeconds: 0 }, 'maxExecutionTimeInSeconds must be between 1 and 2147483647'],
  [{ maxExecutionTimeInSeconds: 2 ** 31 }, 'maxExecutionTimeInSeconds must be between 1 and 2147483647'],
  [{ maxExecutionTimeInSeconds: 60.5 }, 'maxExecutionTimeInSeconds must be an integer'],
  [{ maxExecutionTimeInSeconds: '60' }, 'maxExecutionTimeInSeconds must be a number'],
];

for (const variant of STORE_VARIANTS) {
  describe(`jobs rollout API (${variant.name})`, { skip: variant.skip }, () => {
    let hub: JobsTestHub;
    const call = (method: string, path: string, body?: unknown): Promise<HubResponse> => hubRequest(hub.hub, { method, path, body });

    before(async () => {
      hub = await startJobsHub({ variant });
    });
    after(() => hub?.dispose());

    it('refuses each bad rollout with 400 ArgumentInvalid naming the field, and creates nothing', async () => {
      for (const [n, [body, message]] of REFUSED.entries()) {
        const response = await call('PUT', `/jobs/v2/bad-${n}`, body);
        assertHubError(response, 400, 'ArgumentInvalid');
        assert.equal(response.body.Message, `ErrorCode:ArgumentInvalid;${message}`);
        assertHubError(await call('GET', `/jobs/v2/bad-${n}`), 404, 'JobNotFound');
      }
    });

    it('shows the rollout fields only for a job that has them', async () => {
      const plain = (await call('PUT', '/jobs/v2/plain', methodJob())).body;
      for (const field of ['rollout', 'paused', 'currentRatePerMinute', 'waitingForRetryCount', 'waitingForDeviceCount'])
        assert.equal(field in plain, false, field);
      const rollout = { maxDevicesPerMinute: 600, exponentialRate: ramp, abortCriteria: [abort()], retry: retry(), waitForOfflineDevicesInSeconds: 3600 };
      const created = await call('PUT', '/jobs/v2/rollout-1', methodJob(rollout));
      assert.equal(created.status, 200, created.text);
      assert.deepEqual(created.body.rollout, rollout);
      assert.equal(created.body.paused, false);
      assert.equal(created.body.currentRatePerMinute, 10);
      assert.equal(created.body.waitingForRetryCount, 0);
      assert.equal(created.body.waitingForDeviceCount, 0);
      const read = (await call('GET', '/jobs/v2/rollout-1')).body;
      assert.deepEqual(read.rollout, rollout);
    });

    it('PATCH changes the settings of a scheduled job; a bad PATCH changes nothing', async () => {
      const patched = await call('PATCH', '/jobs/v2/rollout-1', {
        rollout: { maxDevicesPerMinute: 1000, exponentialRate: null },
        maxExecutionTimeInSeconds: 7200,
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.rollout.maxDevicesPerMinute, 1000);
      assert.equal('exponentialRate' in patched.body.rollout, false);
      assert.equal(patched.body.currentRatePerMinute, 1000);
      assert.equal(patched.body.maxExecutionTimeInSeconds, 7200);
      for (const [body, message] of PATCH_REFUSED) {
        const response = await call('PATCH', '/jobs/v2/rollout-1', body);
        assertHubError(response, 400, 'ArgumentInvalid');
        assert.equal(response.body.Message, `ErrorCode:ArgumentInvalid;${message}`, JSON.stringify(body));
      }
      assertHubError(
        await call('PATCH', '/jobs/v2/rollout-1', { rollout: { exponentialRate: { ...ramp, baseRatePerMinute: 5000 } } }),
        400,
        'ArgumentInvalid',
        /must not be over rollout\.maxDevicesPerMinute \(1000\)/,
      );
      assertHubError(
        await call('PATCH', '/jobs/v2/plain', { rollout: { maxDevicesPerMinute: 10 } }),
        400,
        'ArgumentInvalid',
        /created without rollout settings/,
      );
      const read = (await call('GET', '/jobs/v2/rollout-1')).body;
      assert.equal(read.rollout.maxDevicesPerMinute, 1000);
      assert.equal(read.maxExecutionTimeInSeconds, 7200);
    });

    it('pause and resume: 412 for the wrong state, 404 for an unknown job', async () => {
      const paused = await call('POST', '/jobs/v2/rollout-1/pause');
      assert.equal(paused.status, 200, paused.text);
      assert.equal(paused.body.paused, true);
      assert.equal(paused.body.status, 'scheduled');
      assertHubError(await call('POST', '/jobs/v2/rollout-1/pause'), 412, 'JobRunPreconditionFailed', /paused already/);
      assert.equal((await call('POST', '/jobs/v2/rollout-1/resume')).body.paused, false);
      assertHubError(await call('POST', '/jobs/v2/rollout-1/resume'), 412, 'JobRunPreconditionFailed', /not paused/);
      // A plain job pauses too, and then shows that it is.
      assert.equal((await call('POST', '/jobs/v2/plain/pause')).body.paused, true);
      assertHubError(await call('POST', '/jobs/v2/nope/pause'), 404, 'JobNotFound');
      assertHubError(await call('POST', '/jobs/v2/nope/resume'), 404, 'JobNotFound');
      assertHubError(await call('PATCH', '/jobs/v2/nope', { maxExecutionTimeInSeconds: 60 }), 404, 'JobNotFound');
      for (const jobId of ['plain', 'rollout-1']) assert.equal((await call('POST', `/jobs/v2/${jobId}/cancel`)).body.status, 'cancelled');
      assertHubError(await call('POST', '/jobs/v2/rollout-1/pause'), 412, 'JobRunPreconditionFailed', /cancelled/);
      assertHubError(await call('PATCH', '/jobs/v2/rollout-1', { maxExecutionTimeInSeconds: 60 }), 412, 'JobRunPreconditionFailed');
    });
  });
}
