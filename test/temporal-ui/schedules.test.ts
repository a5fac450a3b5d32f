// The Web UI's Schedules pages in headless Chromium, against temporal-lite serving the UI: a
// schedule created with the Temporal client is listed (and counted) on the namespace's Schedules
// page, reached from the side navigation; its page shows its spec and upcoming runs, and after a
// trigger the run it started, linking to that workflow. No API call the pages make fails.
import type { ScheduleHandle } from '@temporalio/client';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { defaultUiAssetsDir, readUiAssets } from '../../temporal-lite/http/ui-assets.js';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { startEnv, startWorker, waitFor, type Env, type RunningWorker } from '../temporal-lite/helpers/harness.js';

const notBuilt = readUiAssets(defaultUiAssetsDir()) ? undefined : 'the Web UI is not built (npm run build builds it; npm test does first)';
const skip = chromiumMissing() ?? notBuilt;

describe('the Web UI’s Schedules pages', { skip }, () => {
  let env: Env;
  let worker: RunningWorker;
  let browser: Browser;
  let page: Page;
  let uiUrl: string;
  let schedule: ScheduleHandle;
  const taskQueue = `ui-schedules-${randomUUID()}`;
  const scheduleId = `nightly-${randomUUID().slice(0, 8)}`;
  /** API calls the pages made that failed (an unserved route shows as 404 or 501). */
  const failedCalls: string[] = [];

  before(async () => {
    env = await startEnv({ ui: { port: 0 } });
    uiUrl = env.server.uiUrl!;
    worker = await startWorker(env, taskQueue, true);
    schedule = await env.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'greeting', args: ['schedules'], taskQueue },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('response', (response) => {
      if (response.url().includes('/api/v1/') && response.status() >= 400) failedCalls.push(`${response.status()} ${response.url()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await worker?.stop();
    await env?.close();
  });

  it('lists and counts the schedule on the Schedules page the navigation links to', async () => {
    await page.goto(uiUrl);
    await page.waitForURL(/\/namespaces\/default\/workflows$/);
    await page.getByRole('link', { name: 'Schedules' }).first().click();
    await page.waitForURL(/\/namespaces\/default\/schedules$/);
    await page.getByRole('link', { name: scheduleId }).waitFor();
    await page.getByText('1 Schedule', { exact: true }).waitFor();
    assert.deepEqual(failedCalls, []);
  });

  it('shows the schedule’s spec and upcoming runs, and the run a trigger started', async () => {
    await schedule.trigger();
    const { recentActions } = await waitFor('the triggered run', async () => {
      const described = await schedule.describe();
      return described.info.recentActions.length ? described.info : undefined;
    });
    const { workflowId } = recentActions[0].action.workflow;
    assert.equal(await env.client.workflow.getHandle(workflowId).result(), 'Hello, schedules!');
    const upcoming = (await schedule.describe()).info.nextActionTimes;

    await page.getByRole('link', { name: scheduleId }).click();
    await page.waitForURL(new RegExp(`/namespaces/default/schedules/${scheduleId}$`));
    await page.getByTestId('schedule-name').getByText(scheduleId).waitFor();
    await page.getByText('greeting').first().waitFor();
    // The spec: an interval of an hour.
    await page.getByText(/"interval": ?"3600s"/).waitFor();
    // The upcoming runs: the next five action times, on the hour.
    const upcomingPanel = page
      .locator('div')
      .filter({ has: page.getByRole('heading', { name: 'Upcoming Runs' }) })
      .last();
    await upcomingPanel
      .getByText(/\d{2}:00:00/)
      .first()
      .waitFor();
    assert.equal(await upcomingPanel.getByText(/\d{2}:00:00/).count(), Math.min(upcoming.length, 5));
    // The recent run links to its workflow, completed.
    const runLink = page.getByRole('link', { name: workflowId, exact: true });
    await runLink.waitFor();
    await page.locator('.row').filter({ has: runLink }).getByText('Completed', { exact: true }).waitFor();
    await runLink.click();
    await page.waitForURL(new RegExp(`/namespaces/default/workflows/${encodeURIComponent(workflowId)}/[0-9a-f-]+/history$`));
    await page.getByText('Workflow Execution Completed').first().waitFor();
    assert.deepEqual(failedCalls, []);
  });
});
