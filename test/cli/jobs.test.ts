import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '../run/helpers/poll.js';
import { startCliHub, type CliHub, type RunningCli } from './helpers/cli-hub.js';

const SIMULATED = "STARTSWITH(deviceId, 'sim-')";

describe('iothub-jobs job commands against a running hub', () => {
  let hub: CliHub;
  let fleet: RunningCli;
  before(async () => {
    hub = await startCliHub();
    fleet = await hub.background(['simulate', '--devices', '4'], /4 devices connected/);
    await hub.cli(['devices', 'create', 'offline-1']);
  });
  after(async () => {
    await fleet?.stop();
    await hub?.dispose();
  });

  it('schedule-method --watch prints the job, progress lines until it ends, and exits 0 when it completed', async () => {
    const result = await hub.cli([
      'job',
      'schedule-method',
      '--job-id',
      'm1',
      '--method',
      'reboot',
      '--payload',
      '{"n":1}',
      '--query',
      SIMULATED,
      '--watch',
      '--interval',
      '0.2',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const submitted = JSON.parse(result.stdout.slice(0, result.stdout.indexOf('\n}\n') + 2));
    assert.equal(submitted.jobId, 'm1');
    assert.equal(submitted.type, 'scheduleDeviceMethod');
    assert.equal(submitted.status, 'queued');
    const lines = result.stdout
      .slice(result.stdout.indexOf('\n}\n') + 3)
      .trimEnd()
      .split('\n');
    for (const line of lines.slice(0, -1))
      assert.match(line, /^\d{4}-\d\d-\d\dT\S+Z job m1 \w+: \d+\/\d+ devices done \(\d+ succeeded, \d+ failed, \d+ running, \d+ pending\)$/);
    assert.match(lines.at(-2)!, /job m1 completed: 4\/4 devices done \(4 succeeded, 0 failed, 0 running, 0 pending\)$/);
    assert.equal(lines.at(-1), 'job m1 completed — 4 devices, 4 succeeded, 0 failed');

    const rows = JSON.parse((await hub.cli(['query', "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'm1'"])).stdout);
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.equal(row.status, 'completed');
      assert.deepEqual(row.outcome.deviceMethodResponse, { status: 200, payload: { deviceId: row.deviceId, method: 'reboot', received: { n: 1 } } });
    }
  });

  it('schedule-twin updates every matching twin; the devices report it back', async () => {
    const result = await hub.cli([
      'job',
      'schedule-twin',
      '--job-id',
      't1',
      '--tags',
      '{"fleet":"demo"}',
      '--desired',
      '{"interval":15}',
      '--query',
      SIMULATED,
      '--watch',
      '--interval',
      '0.2',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /job t1 completed — 4 devices, 4 succeeded, 0 failed\n$/);
    await pollUntil(
      async () => {
        const twins = JSON.parse((await hub.cli(['query', "SELECT * FROM devices WHERE tags.fleet = 'demo' AND properties.reported.interval = 15"])).stdout);
        return twins.length === 4 ? twins : undefined;
      },
      'the 4 simulated devices to report interval 15',
      10_000,
      100,
    );
  });

  it('a job where devices fail still completes; job show and watch report the counts', async () => {
    const scheduled = await hub.cli(['job', 'schedule-method', '--job-id', 'm2', '--method', 'reboot', '--query', "deviceId IN ['offline-1', 'sim-0001']"]);
    assert.equal(scheduled.code, 0, scheduled.stderr);
    const watched = await hub.cli(['job', 'watch', 'm2', '--interval', '0.2']);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, /job m2 completed — 2 devices, 1 succeeded, 1 failed\n$/);
    const job = JSON.parse((await hub.cli(['job', 'show', 'm2'])).stdout);
    assert.equal(job.status, 'completed');
    assert.deepEqual(job.deviceJobStatistics, { deviceCount: 2, failedCount: 1, succeededCount: 1, runningCount: 0, pendingCount: 0 });
  });

  it('cancel stops a scheduled job; watching it then exits 1', async () => {
    const scheduled = await hub.cli(['job', 'schedule-method', '--job-id', 'later', '--method', 'reboot', '--start-in', '3600']);
    assert.equal(scheduled.code, 0, scheduled.stderr);
    const cancelled = await hub.cli(['job', 'cancel', 'later']);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(JSON.parse(cancelled.stdout).status, 'cancelled');
    const watched = await hub.cli(['job', 'watch', 'later']);
    assert.equal(watched.code, 1);
    assert.match(watched.stdout, /job later cancelled/);
  });

  it('job list prints a table, filters by status and type, or prints JSON', async () => {
    const table = await hub.cli(['job', 'list']);
    assert.equal(table.code, 0, table.stderr);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    assert.match(header!, /^JOB ID\s+TYPE\s+STATUS\s+DEVICES\s+SUCCEEDED\s+FAILED\s+CREATED$/);
    assert.deepEqual(rows.map((row) => row.split(/\s+/)[0]).sort(), ['later', 'm1', 'm2', 't1']);
    assert.ok(
      rows.some((row) => /^m1\s+scheduleDeviceMethod\s+completed\s+4\s+4\s+0\s/.test(row)),
      table.stdout,
    );

    const cancelled = JSON.parse((await hub.cli(['job', 'list', '--status', 'cancelled', '--json'])).stdout);
    assert.deepEqual(
      cancelled.map((job: { jobId: string }) => job.jobId),
      ['later'],
    );
    const twinJobs = JSON.parse((await hub.cli(['job', 'list', '--type', 'scheduleUpdateTwin', '--json', '--page-size', '1'])).stdout);
    assert.deepEqual(
      twinJobs.map((job: { jobId: string }) => job.jobId),
      ['t1'],
    );
  });

  it("the hub's refusals are one error line, exit 1; bad usage exits 2", async () => {
    const duplicate = await hub.cli(['job', 'schedule-method', '--job-id', 'm1', '--method', 'reboot']);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /^iothub-jobs: error: JobAlreadyExists: .*\(HTTP 409\)\n$/);
    for (const command of ['show', 'cancel', 'watch']) {
      const unknown = await hub.cli(['job', command, 'nope']);
      assert.equal(unknown.code, 1, `job ${command} nope`);
      assert.equal(unknown.stdout, '', `job ${command} nope`);
      assert.match(unknown.stderr, /^iothub-jobs: error: JobNotFound: Job 'nope' was not found \(HTTP 404\)\n$/, `job ${command} nope`);
    }
    const badFilter = await hub.cli(['job', 'list', '--status', 'sleeping']);
    assert.equal(badFilter.code, 1);
    assert.match(badFilter.stderr, /^iothub-jobs: error: ArgumentInvalid: .*sleeping.*\(HTTP 400\)\n$/);
    const badQuery = await hub.cli(['job', 'schedule-twin', '--desired', '{"a":1}', '--query', 'deviceId =']);
    assert.equal(badQuery.code, 1);
    assert.match(badQuery.stderr, /^iothub-jobs: error: ArgumentInvalid: .*\(HTTP 400\)\n$/);

    for (const [argv, message] of [
      [['job', 'schedule-method'], /missing --method <name>/],
      [['job', 'schedule-method', '--method', 'x', '--start-in', 'soon'], /--start-in must be a whole number/],
      [['job', 'schedule-method', '--method', 'x', '--start-time', 'tomorrow'], /--start-time must be an ISO-8601 time/],
      [['job', 'schedule-method', '--method', 'x', '--start-time', '2030-01-01T00:00:00Z', '--start-in', '5'], /not both/],
      [['job', 'schedule-twin', '--query', '*'], /give --tags and\/or --desired/],
      [['job', 'watch', 'm1', '--interval', '0'], /--interval must be seconds/],
      [['job'], /'job' needs a command: job schedule-method, job schedule-twin, job show, job list, job cancel, job pause, job resume, job edit, job watch/],
    ] as const) {
      const result = await hub.cli([...argv]);
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.deepEqual(JSON.parse((await hub.cli(['job', 'list', '--json'])).stdout).length, 4);
  });
});
