// The console's rollout controls in headless Chromium against a hub composed as `npm start`
// composes it, with simulated devices: a rollout job scheduled from the form (the hub's 400 next to
// its field), paused, re-paced and resumed from its page while its live state follows, a device
// waited for until it connects, a registryRead key's pause refused with the reason, and axe-core on
// the pages with the new controls. What the page shows is checked against the REST API's answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../../src/hub.js';
import type { JobResponse } from '../../workflows/types.js';
import { hubRequest } from '../helpers/hub-http.js';
import { startCliHub, type CliHub, type RunningCli } from '../cli/helpers/cli-hub.js';
import { launchChromium } from '../helpers/chromium.js';
import { assertAccessible, consoleSkip, signIn, watchPage } from './helpers.js';

const ONLINE = 20;

describe('the console’s rollout controls', { skip: consoleSkip }, () => {
  let hub: CliHub;
  const fleets: RunningCli[] = [];
  let browser: Browser;
  let page: Page;
  let url: string;
  let apiHub: Hub;
  let watched: { problems: string[] };
  const keys: string[] = [];
  const jobId = `rollout-${Date.now()}`;

  before(async () => {
    hub = await startCliHub();
    apiHub = { ...hub.node.hub, api: hub.node.hub.api! };
    url = `https://localhost:${apiHub.api.httpsPort}/ui/`;
    keys.push(...hub.node.hub.policies.flatMap((policy) => [policy.primaryKey, policy.secondaryKey]));
    // roll-late-0001 is registered but offline until the test connects it: the job waits for it.
    assert.equal((await hub.cli(['devices', 'create', 'roll-late-0001'])).code, 0);
    fleets.push(await hub.background(['simulate', '--devices', String(ONLINE), '--prefix', 'roll-ok-', '--delay-ms', '200'], /devices connected/));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
    page.setDefaultTimeout(30_000);
    watched = watchPage(page, () => keys);
  });
  after(async () => {
    await browser?.close();
    for (const fleet of fleets) await fleet.stop();
    await hub?.dispose();
  });

  const jobPage = () => ({
    stat: (name: string) => page.locator(`[data-stat="${name}"]`),
    status: () => page.getByRole('status', { name: 'Job status' }),
  });

  it('schedules a rollout job from the form, with the hub’s 400 next to the rollout field it names', async () => {
    await signIn(page, url, { connectionString: hub.node.hub.connectionString() });
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'New job' }).first().click();
    await page.getByLabel('Job id').fill(jobId);
    await page.getByLabel('Devices (query condition, or * for all)').fill("STARTSWITH(deviceId, 'roll-')");
    await page.getByLabel('Method name').fill('upgrade');
    await page.getByText('Rollout settings (optional)').click();
    const rate = page.getByLabel('Max devices per minute (empty: no limit)');
    await rate.fill('0');
    await page.getByRole('button', { name: 'Add abort criterion' }).click();
    await page.getByLabel('Failure type').first().selectOption('timedOut');
    await page.getByLabel('Reaches (% of finished)').fill('50');
    await page.getByRole('button', { name: 'Add retry criterion' }).click();
    await page.getByLabel('Retries (0–10)').fill('2');
    await page.getByLabel('Wait for offline devices to connect (s, empty: no wait)').fill('3600');
    await assertAccessible(page, 'new job page with rollout settings');

    await page.getByRole('button', { name: 'Schedule job' }).click();
    const rateError = page.locator('#maxDevicesPerMinute-error');
    await rateError.waitFor();
    assert.equal(await rateError.innerText(), 'rollout.maxDevicesPerMinute must be between 1 and 100000');
    assert.equal(await rate.getAttribute('aria-invalid'), 'true');
    assert.equal((await api('GET', `/jobs/v2/${jobId}`)).status, 404, 'the refused job was created');

    // 30 a minute: one device every 2 s, slow enough to pause it on the way.
    await rate.fill('30');
    await page.getByRole('button', { name: 'Schedule job' }).click();
    await page.getByRole('heading', { name: `Job ${jobId}` }).waitFor();
    await page.getByRole('heading', { name: 'Rollout' }).waitFor();
    const job = await jobOf();
    assert.deepEqual(job.rollout, {
      maxDevicesPerMinute: 30,
      abortCriteria: [{ failureType: 'timedOut', thresholdPercentage: 50, minNumberOfExecutedDevices: 100, action: 'cancel' }],
      retry: {
        criteria: [{ failureType: 'offline', numberOfRetries: 2 }],
        backoff: { initialIntervalInSeconds: 60, backoffCoefficient: 2, maximumIntervalInSeconds: 900 },
      },
      waitForOfflineDevicesInSeconds: 3600,
    });
    await jobPage()
      .stat('currentRatePerMinute')
      .filter({ hasText: /^30\/min$/ })
      .waitFor();
  });

  it('pauses the running job from its page: the page and the hub say paused', async () => {
    await jobPage().status().filter({ hasText: 'running' }).waitFor();
    await page.getByRole('button', { name: 'Pause job' }).click();
    await page.getByRole('alert').filter({ hasText: 'Job paused' }).waitFor();
    await jobPage()
      .stat('paused')
      .filter({ hasText: /^paused$/ })
      .waitFor();
    await page.getByRole('button', { name: 'Resume job' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Pause job' }).count(), 0);
    const job = await jobOf();
    assert.equal(job.paused, true);
    assert.equal(job.status, 'running');
    assert.equal(job.statusMessage, 'Paused: no device is started until the job is resumed');
    await page.getByText('Paused: no device is started until the job is resumed').waitFor();
    await assertAccessible(page, 'paused rollout job page');
  });

  it('changes the rate: the hub’s refusal next to the field, then the new current rate', async () => {
    const rate = page.getByLabel('Max devices per minute (empty: no limit)');
    assert.equal(await rate.inputValue(), '30');
    await rate.fill('100001');
    await page.getByRole('button', { name: 'Change rate' }).click();
    await page
      .locator('#rollout-rate-error')
      .filter({ hasText: 'The hub refused the rate: rollout.maxDevicesPerMinute must be between 1 and 100000' })
      .waitFor();
    assert.equal(await rate.getAttribute('aria-invalid'), 'true');

    await rate.fill('600');
    await page.getByRole('button', { name: 'Change rate' }).click();
    await page.getByRole('status').filter({ hasText: 'Rate set to 600 devices a minute.' }).waitFor();
    await jobPage()
      .stat('currentRatePerMinute')
      .filter({ hasText: /^600\/min$/ })
      .waitFor();
    const job = await jobOf();
    assert.equal(job.currentRatePerMinute, 600);
    assert.equal(job.rollout?.maxDevicesPerMinute, 600);
    assert.equal(job.paused, true, 'a new rate does not resume the job');
  });

  it('resumes it and watches it wait for the offline device, then reach 100% without a reload', async () => {
    await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));
    await page.getByRole('button', { name: 'Resume job' }).click();
    await page.getByRole('alert').filter({ hasText: 'Job resumed.' }).waitFor();
    await page.getByRole('button', { name: 'Pause job' }).waitFor();
    assert.equal((await jobOf()).paused, false);
    // Every online device done; the offline one waits (counted pending) until it connects.
    await page.getByText(`${ONLINE} / ${ONLINE + 1} (95%)`).waitFor({ timeout: 60_000 });
    await jobPage().stat('waitingForDeviceCount').filter({ hasText: /^1$/ }).waitFor();
    const waiting = await jobOf();
    assert.equal(waiting.waitingForDeviceCount, 1);
    assert.equal(waiting.deviceJobStatistics?.pendingCount, 1);

    fleets.push(await hub.background(['simulate', '--devices', '1', '--prefix', 'roll-late-'], /1 devices connected/));
    await page.getByText(`${ONLINE + 1} / ${ONLINE + 1} (100%)`).waitFor({ timeout: 60_000 });
    await jobPage().status().filter({ hasText: 'completed' }).waitFor();
    assert.equal(await jobPage().stat('waitingForDeviceCount').innerText(), '0');
    assert.equal(await jobPage().stat('succeededCount').innerText(), String(ONLINE + 1));
    assert.equal(await page.getByRole('button', { name: /^(Pause|Resume) job$/ }).count(), 0);
    assert.equal(await page.getByLabel('Max devices per minute (empty: no limit)').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument), true, 'the page was reloaded');
    assert.equal((await jobOf()).status, 'completed');
  });

  it('signed in with a registryRead key, cannot pause and says why', async () => {
    const readOnlyJob = `rollout-ro-${Date.now()}`;
    const at = new Date(Date.now() + 3600_000).toISOString();
    const scheduled = await hub.cli([
      'job',
      'schedule-method',
      '--job-id',
      readOnlyJob,
      '--method',
      'reboot',
      '--query',
      '*',
      '--start-time',
      at,
      '--rate',
      '10',
    ]);
    assert.equal(scheduled.code, 0, scheduled.stderr);
    await page.getByRole('button', { name: 'Sign out' }).click();
    const readOnly = hub.node.hub.policies.find((policy) => policy.keyName === 'registryRead')!;
    await signIn(page, url, { keyName: 'registryRead', key: readOnly.primaryKey });
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByRole('link', { name: readOnlyJob }).click();
    await jobPage().status().filter({ hasText: 'scheduled' }).waitFor();
    await page.getByRole('button', { name: 'Pause job' }).click();
    await page
      .getByRole('alert')
      .filter({
        hasText:
          "The hub refused to pause the job: Unauthorized: policy 'registryRead' lacks the RegistryWrite or ServiceConnect permission this operation needs",
      })
      .waitFor();
    assert.equal((await jobOf(readOnlyJob)).paused, false);
    await assertAccessible(page, 'rollout job page with a refusal');
  });

  it('never sent a key, and the page broke no rule of its CSP', () => {
    assert.deepEqual(watched.problems, []);
  });

  async function api(method: string, path: string): Promise<{ status: number; body: JobResponse }> {
    const response = await hubRequest(apiHub, { method, path, auth: 'iothubowner' });
    return { status: response.status, body: response.body as JobResponse };
  }

  async function jobOf(id = jobId): Promise<JobResponse> {
    const { status, body } = await api('GET', `/jobs/v2/${id}`);
    assert.equal(status, 200);
    return body;
  }
});
