/**
 * `npm run bench:console [-- --jobs 1000 --devices 100000 --pages 5 --window 20]` (after `npm run build`)
 *
 * The operator console under load: a hub process as `npm start` runs it (embedded temporal-lite,
 * SQLite) holding `--jobs` finished jobs and one method job running over `--devices` registered
 * devices (offline: each waits out its connect timeout; see RUNNING_JOB_TUNING). Prints:
 *  - the jobs list page's time to interactive in headless Chromium (navigation start to the first
 *    page of jobs rendered with its controls), median and worst of 5 loads, and where the median's
 *    time went (scripts, the list request);
 *  - the hub process's CPU (utime + stime from /proc, % of one core) over `--window` seconds without
 *    any console page, with `--pages` job pages open on the running job (server-sent events), and
 *    without again (the baseline is the mean of the two windows around), and how often each page's
 *    counts changed per second.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createSasToken } from '../src/auth/sas-token.js';
import { openHubStore } from '../src/registry/open-store.js';
import { chromiumMissing, launchChromium } from '../test/helpers/chromium.js';
import { allInOneEnv, HubProcess, type StartedHub } from '../test/run/helpers/hub-process.js';
import { insertDevices } from './register-devices.js';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    devices: { type: 'string', default: '100000' },
    pages: { type: 'string', default: '5' },
    window: { type: 'string', default: '20' },
  },
});
const JOBS = Number(args.jobs);
const DEVICES = Number(args.devices);
const PAGES = Number(args.pages);
const WINDOW_MS = Number(args.window) * 1000;
const JOBS_LISTED_MARK = 'console:jobs-listed';
const CLOCK_TICKS = 100;
/**
 * The running job's fan-out: 25 devices at a time per batch (400 in flight) that each wait out a 1 s
 * connect timeout, so the job runs for minutes, and progress told as often as the hub allows (once a
 * second), as a job whose devices answer quickly tells it with the default tuning.
 */
const RUNNING_JOB_TUNING = { scheduleDeviceMethod: { deviceConcurrency: 25, progressUpdates: 1000, batchProgressUpdates: 1000 } }; // USER_HZ on Linux (sysconf(_SC_CLK_TCK))

const missing = chromiumMissing();
if (missing) {
  console.error(`bench:console needs Chromium: ${missing}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'iothub-bench-console-'));
let hub: StartedHub | undefined;
let browser: Browser | undefined;
try {
  console.log(`Registering ${DEVICES} devices…`);
  const store = await openHubStore({ dataDir: dir });
  await insertDevices(store, 'bench-', DEVICES);
  await store.close();

  hub = await HubProcess.start(
    await allInOneEnv(dir, { HUB_MAX_ACTIVE_JOBS: String(JOBS + 10), HUB_TEMPORAL_UI_PORT: 'off', HUB_JOB_TUNING: JSON.stringify(RUNNING_JOB_TUNING) }),
    180_000,
  );
  const base = `http://localhost:${hub.banner.httpPort}`;
  const connection = Object.fromEntries(hub.banner.connectionString.split(';').map((part) => part.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const authorization = createSasToken({
    sr: connection.HostName!,
    key: connection.SharedAccessKey!,
    keyName: connection.SharedAccessKeyName!,
    expiresAt: new Date(Date.now() + 6 * 3600_000),
  });
  const rest = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}${path.includes('?') ? '&' : '?'}api-version=2021-04-12`, {
      method,
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<{ status?: string; deviceJobStatistics?: { succeededCount: number; failedCount: number } }>;
  };

  console.log(`Creating ${JOBS} jobs…`);
  let created = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (created < JOBS) {
        const n = created++;
        await rest('PUT', `/jobs/v2/list-${String(n).padStart(5, '0')}`, {
          type: 'scheduleUpdateTwin',
          queryCondition: "deviceId = 'nobody'",
          updateTwin: { etag: '*', tags: { bench: n } },
        });
      }
    }),
  );
  console.log(`  ${JOBS} jobs created in ${((Date.now() - started) / 1000).toFixed(0)} s; waiting for them to end…`);
  for (let n = JOBS - 1; n >= 0; n -= Math.max(1, Math.floor(JOBS / 10))) {
    while ((await rest('GET', `/jobs/v2/list-${String(n).padStart(5, '0')}`)).status !== 'completed') await sleep(500);
  }

  const bigJob = `running-${DEVICES}`;
  await rest('PUT', `/jobs/v2/${bigJob}`, {
    type: 'scheduleDeviceMethod',
    queryCondition: "STARTSWITH(deviceId, 'bench-')",
    cloudToDeviceMethod: { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 1 },
    maxExecutionTimeInSeconds: 3600,
  });
  console.log(`Job ${bigJob} over ${DEVICES} offline devices (1 s connect timeout each): waiting until it runs…`);
  for (;;) {
    const job = await rest('GET', `/jobs/v2/${bigJob}`);
    const done = (job.deviceJobStatistics?.succeededCount ?? 0) + (job.deviceJobStatistics?.failedCount ?? 0);
    if (job.status === 'running' && done > 0) break;
    await sleep(1000);
  }

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Signed in as the console keeps it (sessionStorage of each tab).
  const credentials = JSON.stringify({ hostName: connection.HostName, keyName: connection.SharedAccessKeyName, key: connection.SharedAccessKey });
  await context.addInitScript(`sessionStorage.setItem('iothub-console-credentials', ${JSON.stringify(credentials)})`);

  const latency = async (method: string, path: string, body?: unknown) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const at = performance.now();
      await rest(method, path, body);
      times.push(performance.now() - at);
    }
    return times.sort((a, b) => a - b)[2]!;
  };
  const listLatency = await latency('GET', '/jobs/v2/query?pageSize=20');
  const jobLatency = await latency('GET', `/jobs/v2/${bigJob}`);
  const devicesLatency = await latency('POST', '/devices/query', { query: `SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${bigJob}'` });

  const loads: PageLoad[] = [];
  for (let i = 0; i < 5; i++) loads.push(await listPageInteractive(context, `${base}/ui/#/jobs`));
  loads.sort((a, b) => a.interactive - b.interactive);
  const median = loads[2]!;
  const bare: number[] = [];
  for (let i = 0; i < 5; i++) bare.push(await bareLoad(context, `${base}/ui/settings.json`));
  bare.sort((a, b) => a - b);

  console.log(`\nbench:console — ${JOBS} finished jobs, job ${bigJob} running over ${DEVICES} devices`);
  console.log(`  jobs list page interactive: median ${median.interactive.toFixed(0)} ms, worst ${loads[4]!.interactive.toFixed(0)} ms (5 loads)`);
  console.log(
    `    same-run baseline:       a bare document (settings.json) loads in ${bare[2]!.toFixed(0)} ms in a new tab (ratio ${(median.interactive / bare[2]!).toFixed(2)})`,
  );
  console.log(
    `    the median load:         scripts run at ${median.domContentLoaded.toFixed(0)} ms, jobs requested at ${median.listStart.toFixed(0)} ms, answered at ${median.listEnd.toFixed(0)} ms`,
  );
  console.log(
    `  REST medians (5 calls):     GET /jobs/v2/query?pageSize=20 ${listLatency.toFixed(0)} ms, GET /jobs/v2/${bigJob} ${jobLatency.toFixed(0)} ms, first page of its devices.jobs ${devicesLatency.toFixed(0)} ms`,
  );
  const pid = hub.child.pid!;
  const before = await cpuPercent(pid, WINDOW_MS);
  const pages = await Promise.all(Array.from({ length: PAGES }, () => openJobPage(context, `${base}/ui/#/jobs/${bigJob}`)));
  await sleep(2000);
  await Promise.all(pages.map((page) => page.evaluate('window.benchUpdates = 0')));
  const withPages = await cpuPercent(pid, WINDOW_MS);
  const updates = await Promise.all(pages.map((page) => page.evaluate<number>('window.benchUpdates')));
  await Promise.all(pages.map((page) => page.close()));
  await sleep(2000);
  const after = await cpuPercent(pid, WINDOW_MS);
  const job = await rest('GET', `/jobs/v2/${bigJob}`);
  const baseline = (before + after) / 2;
  const rates = updates.map((count) => count / (WINDOW_MS / 1000));

  console.log(
    `  hub CPU without pages:      ${before.toFixed(1)}% before, ${after.toFixed(1)}% after (baseline ${baseline.toFixed(1)}% of one core; the job ${job.status} at the end)`,
  );
  console.log(
    `  hub CPU with ${PAGES} job pages:   ${withPages.toFixed(1)}% (${withPages - baseline >= 0 ? '+' : ''}${(withPages - baseline).toFixed(1)} points, ratio ${(withPages / baseline).toFixed(3)})`,
  );
  console.log(`  job page updates/s:         ${rates.map((rate) => rate.toFixed(2)).join(', ')} (min ${Math.min(...rates).toFixed(2)})`);
} finally {
  await browser?.close();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface PageLoad {
  /** ms from navigation start: the first page of jobs rendered, links and filters usable. */
  interactive: number;
  domContentLoaded: number;
  /** The jobs list request (GET /jobs/v2/query) sent and answered. */
  listStart: number;
  listEnd: number;
}

/** A load of the list page in a new tab (its hashed scripts cached after the first), timed by the page's own clock. */
async function listPageInteractive(context: BrowserContext, url: string): Promise<PageLoad> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.locator('table[aria-label="Jobs"] tbody tr td a').first().waitFor({ timeout: 30_000 });
    // The page marks the moment its first page of jobs is on screen (Jobs.svelte).
    return await page.evaluate<PageLoad>(`(() => {
      const list = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/jobs/v2/query'));
      return {
        interactive: performance.getEntriesByName('${JOBS_LISTED_MARK}')[0].startTime,
        domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
        listStart: list.startTime,
        listEnd: list.responseEnd,
      };
    })()`);
  } finally {
    await page.close();
  }
}

/** The floor of a page load in this browser on this machine: a new tab loading a small static document. */
async function bareLoad(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'load' });
    return await page.evaluate<number>(`performance.getEntriesByType('navigation')[0].loadEventEnd`);
  } finally {
    await page.close();
  }
}

/** A job page, counting the changes of its succeeded and failed counts as they arrive. */
async function openJobPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page
    .getByText('Live', { exact: true })
    .waitFor({ timeout: 30_000 })
    .catch(async (err: Error) => {
      throw new Error(`the job page was not live within 30 s; it showed: ${(await page.locator('main').innerText()).slice(0, 500)}`, { cause: err });
    });
  await page.evaluate(`(() => {
    window.benchUpdates = 0;
    const counts = document.querySelector('.stats');
    new MutationObserver(() => window.benchUpdates++).observe(counts, { subtree: true, characterData: true, childList: true });
  })()`);
  return page;
}

/** CPU time of a process over a window, in % of one core, from /proc/<pid>/stat (utime + stime). */
async function cpuPercent(pid: number, windowMs: number): Promise<number> {
  const ticks = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const start = ticks();
  const at = Date.now();
  await sleep(windowMs);
  return ((ticks() - start) / CLOCK_TICKS / ((Date.now() - at) / 1000)) * 100;
}
