// The Temporal Web UI of `npm start`, in headless Chromium: a hub runs a job over simulated
// devices (which answer slowly, so it stays running), and the UI served by the embedded
// temporal-lite lists it, shows its history and its pending activity, and runs its status query.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { defaultUiAssetsDir, readUiAssets } from '../../temporal-lite/http/ui-assets.js';
import { startCliHub, type CliHub, type RunningCli } from '../cli/helpers/cli-hub.js';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';

const notBuilt = readUiAssets(defaultUiAssetsDir()) ? undefined : 'the Web UI is not built (npm run build builds it; npm test does first)';
const skip = chromiumMissing() ?? notBuilt;

describe('the Temporal Web UI of the hub', { skip }, () => {
  let hub: CliHub;
  let fleet: RunningCli;
  let browser: Browser;
  let page: Page;
  let uiUrl: string;
  const jobId = `ui-${Date.now()}`;

  before(async () => {
    hub = await startCliHub();
    uiUrl = hub.node.temporal!.uiUrl!;
    // Devices answer after a minute and the job waits 30 s for each: its method batch stays a pending
    // activity while the test looks, and the job is over (devices timed out) soon after.
    fleet = await hub.background(['simulate', '--devices', '3', '--delay-ms', '60000'], /3 devices connected/);
    const scheduled = await hub.cli([
      'job',
      'schedule-method',
      '--job-id',
      jobId,
      '--method',
      'slow',
      '--timeout',
      '30',
      '--query',
      "STARTSWITH(deviceId, 'sim-')",
    ]);
    assert.equal(scheduled.code, 0, scheduled.stderr);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20_000);
  });
  after(async () => {
    await browser?.close();
    await fleet?.stop();
    await hub?.dispose();
  });

  it('job show links to the job’s workflow page', async () => {
    const shown = await hub.cli(['job', 'show', jobId]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).jobId, jobId);
    const port = new URL(uiUrl).port;
    assert.match(shown.stderr, new RegExp(`^Temporal Web UI: http://localhost:${port}/namespaces/default/workflows/${jobId}\\n$`));
  });

  it('lists the job, shows its history with its activity summaries and its pending activity while it runs, and runs its status query', async () => {
    await page.goto(uiUrl);
    await page.waitForURL(/\/namespaces\/default\/workflows$/);
    await page.getByRole('link', { name: jobId, exact: true }).click();
    await page.waitForURL(new RegExp(`/namespaces/default/workflows/${jobId}/[0-9a-f-]+/history$`));
    await page.getByText('Workflow Execution Started').first().waitFor();
    assert.equal(await page.getByRole('heading', { name: jobId }).count(), 1);
    // The batch activity's summary (its user metadata) says what it does to which devices.
    await page.getByText("call method 'slow' on devices 1–3").first().waitFor();

    await page.locator('a[href$="/pending-activities"]').first().click();
    await page.waitForURL(/\/pending-activities$/);
    await page
      .getByText(/Attempt/)
      .first()
      .waitFor();
    await page.getByText('processDeviceBatch').first().waitFor();

    await page.locator('a[href$="/query"]').first().click();
    await page.waitForURL(/\/query$/);
    await page.getByRole('button', { name: /Run Query/ }).waitFor();
    await page.getByTestId('query-select-button').click();
    assert.equal(await page.getByRole('option', { name: 'jobResponse', exact: true }).count(), 1, 'the full JobResponse is a query too');
    await page.getByRole('option', { name: 'status', exact: true }).click();
    await page.getByRole('button', { name: /Run Query/ }).click();
    await page.getByText(/"statistics"/).waitFor();
    const text = (await page.locator('pre, code, .cm-content').filter({ hasText: 'statistics' }).first().innerText()).replace(/\s+/g, ' ');
    assert.match(text, /"status": "running"/);
    assert.match(text, /"deviceCount": 3/);
  });
});
