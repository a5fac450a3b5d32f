// The Web UI's Schedules pages in headless Chromium, against temporal-lite serving the UI: a
// schedule created with the Temporal client is listed (and counted) on the namespace's Schedules
// page, reached from the side navigation; its page shows its spec and upcoming runs, and after a
// trigger the run it started, linking to that workflow. Read-only (the default), the pages offer no
// changes; with write actions on, a schedule is paused, edited and created from the UI. No API call
// the pages make fails.
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

/** temporal-lite with its Web UI, a worker for the scheduled workflow, a schedule, and a browser page. */
interface UiSession {
  env: Env;
  uiUrl: string;
  page: Page;
  schedule: ScheduleHandle;
  scheduleId: string;
  /** API calls the pages made that failed (an unserved route shows as 404 or 501). */
  failedCalls: string[];
  close(): Promise<void>;
}

async function openUi(writeActions: boolean): Promise<UiSession> {
  const env = await startEnv({ ui: { port: 0, writeActions } });
  let worker: RunningWorker | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await worker?.stop();
    await env.close();
  };
  try {
    const taskQueue = `ui-schedules-${randomUUID()}`;
    worker = await startWorker(env, taskQueue, true);
    const scheduleId = `nightly-${randomUUID().slice(0, 8)}`;
    const schedule = await env.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'greeting', args: ['schedules'], taskQueue },
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20_000);
    const failedCalls: string[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/v1/') && response.status() >= 400) failedCalls.push(`${response.status()} ${response.url()}`);
    });
    return { env, uiUrl: env.server.uiUrl!, page, schedule, scheduleId, failedCalls, close };
  } catch (err) {
    await close();
    throw err;
  }
}

describe('the Web UI’s Schedules pages', { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await openUi(false);
  });
  after(() => ui?.close());

  it('lists and counts the schedule on the Schedules page the navigation links to', async () => {
    const { page, scheduleId, failedCalls } = ui;
    await page.goto(ui.uiUrl);
    await page.waitForURL(/\/namespaces\/default\/workflows$/);
    await page.getByRole('link', { name: 'Schedules' }).first().click();
    await page.waitForURL(/\/namespaces\/default\/schedules$/);
    await page.getByRole('link', { name: scheduleId }).waitFor();
    await page.getByText('1 Schedule', { exact: true }).waitFor();
    assert.deepEqual(failedCalls, []);
  });

  it('filters the list by schedule id (the query in the address)', async () => {
    const { page, scheduleId, failedCalls } = ui;
    const listWith = (query: string) => `${ui.uiUrl}/namespaces/default/schedules?query=${encodeURIComponent(query)}`;
    await page.goto(listWith(`ScheduleId="${scheduleId}"`));
    await page.getByRole('link', { name: scheduleId }).waitFor();
    await page.getByText('1 Schedule', { exact: true }).waitFor();
    await page.goto(listWith('ScheduleId="no-such-schedule"'));
    await page.getByText('No Schedules Found').waitFor();
    await page.getByText('0 Schedules', { exact: true }).waitFor();
    assert.deepEqual(failedCalls, []);
  });

  it('shows the schedule’s spec and upcoming runs, and the run a trigger started', async () => {
    const { page, schedule, scheduleId, failedCalls, env } = ui;
    await schedule.trigger();
    const { recentActions } = await waitFor('the triggered run', async () => {
      const described = await schedule.describe();
      return described.info.recentActions.length ? described.info : undefined;
    });
    const { workflowId } = recentActions[0].action.workflow;
    assert.equal(await env.client.workflow.getHandle(workflowId).result(), 'Hello, schedules!');
    const upcoming = (await schedule.describe()).info.nextActionTimes;

    await page.goto(`${ui.uiUrl}/namespaces/default/schedules`);
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

  it('offers no changes while write actions are disabled: pause is disabled and the create page says why', async () => {
    const { page, scheduleId } = ui;
    await page.goto(`${ui.uiUrl}/namespaces/default/schedules/${scheduleId}`);
    await page.getByText('Upcoming Runs').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Pause' }).isDisabled(), true);
    await page.goto(`${ui.uiUrl}/namespaces/default/schedules/create`);
    await page.getByText(/Write actions are disabled in this Web UI/).waitFor();
    assert.equal(await page.getByTestId('schedule-name-input').count(), 0);
  });
});

describe('the Web UI’s Schedules pages with write actions enabled', { skip }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await openUi(true);
  });
  after(() => ui?.close());

  it('triggers and pauses the schedule from its page and edits its workflow id in the form', async () => {
    const { page, schedule, scheduleId, failedCalls } = ui;
    await page.goto(`${ui.uiUrl}/namespaces/default/schedules/${scheduleId}`);
    // Trigger now, with an overlap policy (the UI names it in Temporal's enum shorthand, AllowAll).
    await page.getByRole('button', { name: 'Schedule Actions' }).click();
    await page.getByTestId('trigger-schedule').click();
    await page.getByRole('dialog').getByText('Allow All', { exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Trigger' }).click();
    await waitFor('the run the UI triggered', async () => ((await schedule.describe()).info.recentActions.length ? true : undefined));

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('#pause-reason').fill('maintenance window');
    await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Unpause' }).waitFor();
    const { state } = await schedule.describe();
    assert.equal(state.paused, true);
    assert.equal(state.note, 'maintenance window');

    await page.goto(`${ui.uiUrl}/namespaces/default/schedules/${scheduleId}/edit`);
    await page.getByTestId('schedule-type-input').waitFor();
    assert.equal(await page.locator('#workflowType').inputValue(), 'greeting');
    await page.getByTestId('schedule-workflow-id-input').fill('renamed-run');
    await page.getByTestId('create-schedule-button').click();
    await page.waitForURL(new RegExp(`/namespaces/default/schedules/${scheduleId}$`));
    const updated = await schedule.describe();
    assert.equal(updated.action.type === 'startWorkflow' && updated.action.workflowId, 'renamed-run');
    assert.equal(updated.state.paused, true, 'an edit keeps the schedule paused');
    assert.deepEqual(failedCalls, []);
  });

  it('creates a schedule from the form', async () => {
    const { page, env, failedCalls } = ui;
    const created = `made-in-ui-${randomUUID().slice(0, 8)}`;
    await page.goto(`${ui.uiUrl}/namespaces/default/schedules`);
    await page.getByTestId('create-schedule').first().click();
    await page.waitForURL(/\/schedules\/create$/);
    await page.getByTestId('schedule-name-input').fill(created);
    await page.getByTestId('schedule-type-input').fill('greeting');
    await page.getByTestId('schedule-workflow-id-input').fill(`${created}-run`);
    await page.getByTestId('schedule-task-queue-input').fill('ui-made');
    await page.getByTestId('hour-interval-input').fill('2');
    await page.getByTestId('create-schedule-button').click();
    await page.getByRole('link', { name: created }).waitFor();
    const described = await env.client.schedule.getHandle(created).describe();
    assert.equal(described.action.type, 'startWorkflow');
    assert.equal(described.action.workflowType, 'greeting');
    assert.deepEqual(
      described.spec.intervals?.map((interval) => interval.every),
      [2 * 3600_000],
    );
    assert.deepEqual(failedCalls, []);
  });
});
