import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../run/helpers/poll.js';
import { startCliHub, type CliHub, type RunningCli } from './helpers/cli-hub.js';

/** One line on stderr: `iothub-jobs: error: <Code>…`, nothing on stdout. */
function assertHubErrorLine(result: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^iothub-jobs: error: /);
  assert.match(lines[0]!, pattern);
}

function assertUsageError(result: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, pattern);
  assert.match(result.stderr, /usage: iothub-jobs /);
}

describe('iothub-jobs devices, twin, method, query and simulate against a running hub', () => {
  let hub: CliHub;
  let fleet: RunningCli | undefined;
  before(async () => {
    hub = await startCliHub();
  });
  after(async () => {
    await fleet?.stop();
    await hub?.dispose();
  });

  it('devices create prints the device and its connection string; a duplicate is one error line', async () => {
    const created = await hub.cli(['devices', 'create', 'dev-1']);
    assert.equal(created.code, 0, created.stderr);
    const device = JSON.parse(created.stdout);
    assert.equal(device.deviceId, 'dev-1');
    assert.equal(device.status, 'enabled');
    assert.match(
      created.stderr,
      new RegExp(
        `^Device connection string: HostName=localhost;DeviceId=dev-1;SharedAccessKey=${device.authentication.symmetricKey.primaryKey.replace(/[+/]/g, '\\$&')};GatewayHostName=localhost:\\d+\n$`,
      ),
    );

    const disabled = await hub.cli(['devices', 'create', 'dev-2', '--disabled']);
    assert.equal(JSON.parse(disabled.stdout).status, 'disabled');

    assertHubErrorLine(await hub.cli(['devices', 'create', 'dev-1']), /^iothub-jobs: error: DeviceAlreadyExists: .*\(HTTP 409\)$/);
    assertHubErrorLine(await hub.cli(['devices', 'create', 'bad id!']), /ArgumentInvalid: .*\(HTTP 400\)$/);
  });

  it('devices list prints a table, or JSON; devices show prints one device', async () => {
    const table = await hub.cli(['devices', 'list']);
    assert.equal(table.code, 0, table.stderr);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    assert.match(header!, /^DEVICE ID\s+STATUS\s+CONNECTION\s+LAST ACTIVITY$/);
    assert.ok(
      rows.some((row) => /^dev-1\s+enabled\s+Disconnected\s/.test(row)),
      table.stdout,
    );
    assert.ok(
      rows.some((row) => /^dev-2\s+disabled\s/.test(row)),
      table.stdout,
    );

    const json = await hub.cli(['devices', 'list', '--json', '--top', '1']);
    assert.equal(json.code, 0, 'a listing printed as JSON exits 0');
    assert.equal(JSON.parse(json.stdout).length, 1);

    const shown = await hub.cli(['devices', 'show', 'dev-1']);
    assert.equal(JSON.parse(shown.stdout).deviceId, 'dev-1');
    assertHubErrorLine(await hub.cli(['devices', 'show', 'nobody']), /^iothub-jobs: error: DeviceNotFound: .*nobody.*\(HTTP 404\)$/);
  });

  it('twin update merges tags and desired properties, honours --etag; twin show prints the twin', async () => {
    const updated = await hub.cli(['twin', 'update', 'dev-1', '--tags', '{"building":"43"}', '--desired', '{"interval":30}']);
    assert.equal(updated.code, 0, updated.stderr);
    const twin = JSON.parse(updated.stdout);
    assert.deepEqual(twin.tags, { building: '43' });
    assert.equal(twin.properties.desired.interval, 30);

    const shown = JSON.parse((await hub.cli(['twin', 'show', 'dev-1'])).stdout);
    assert.equal(shown.etag, twin.etag);
    assertHubErrorLine(await hub.cli(['twin', 'update', 'dev-1', '--desired', '{"interval":1}', '--etag', 'stale']), /PreconditionFailed: .*\(HTTP 412\)$/);
    assertHubErrorLine(await hub.cli(['twin', 'show', 'nobody']), /^iothub-jobs: error: DeviceNotFound: .*nobody.*\(HTTP 404\)$/);
    const again = await hub.cli(['twin', 'update', 'dev-1', '--desired', '{"interval":null}', '--etag', twin.etag]);
    assert.equal(JSON.parse(again.stdout).properties.desired.interval, undefined);
  });

  it('usage errors exit 2 with the command usage, and change nothing', async () => {
    assertUsageError(await hub.cli(['twin', 'update', 'dev-1', '--desired', '{oops']), /--desired is not valid JSON/);
    assertUsageError(await hub.cli(['twin', 'update', 'dev-1', '--desired', '[1]']), /--desired must be a JSON object/);
    assertUsageError(await hub.cli(['twin', 'update', 'dev-1']), /give --tags and\/or --desired/);
    assertUsageError(await hub.cli(['devices', 'show']), /missing <deviceId>/);
    assertUsageError(await hub.cli(['devices', 'show', 'a', 'b']), /unexpected argument 'b'/);
    assertUsageError(await hub.cli(['devices', 'show', 'dev-1', '--colour']), /Unknown option '--colour'/);
    assertUsageError(await hub.cli(['method', 'invoke', 'dev-1', 'reboot', '--timeout', '1']), /--timeout must be a whole number from 5 to 300/);
    assertUsageError(await hub.cli(['devices', 'list', '--top', 'all']), /--top must be a whole number/);
    const unknown = await hub.cli(['devices', 'remove', 'dev-1']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'devices remove': devices create, devices list, devices show/);
    assert.equal(JSON.parse((await hub.cli(['twin', 'show', 'dev-1'])).stdout).properties.desired.interval, undefined);
  });

  it('simulate connects devices that answer methods and report desired properties back', async () => {
    fleet = await hub.background(['simulate', '--devices', '3', '--prefix', 'sim-'], /3 devices connected to mqtts:\/\/localhost:\d+/);
    const invoked = await hub.cli(['method', 'invoke', 'sim-0002', 'reboot', '--payload', '{"delay":5}', '--timeout', '10']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.deepEqual(JSON.parse(invoked.stdout), { status: 200, payload: { deviceId: 'sim-0002', method: 'reboot', received: { delay: 5 } } });

    await hub.cli(['twin', 'update', 'sim-0001', '--desired', '{"firmware":"2.0"}']);
    await pollUntil(
      async () => {
        const twin = JSON.parse((await hub.cli(['twin', 'show', 'sim-0001'])).stdout);
        return twin.properties.reported.firmware === '2.0' ? twin : undefined;
      },
      'sim-0001 to report firmware 2.0',
      10_000,
      100,
    );
  });

  it('method invoke on an offline device is one error line with the numeric code', async () => {
    assertHubErrorLine(await hub.cli(['method', 'invoke', 'dev-1', 'reboot']), /^iothub-jobs: error: DeviceNotOnline \(404103\): .*\(HTTP 404\)$/);
  });

  it('query prints every page as one JSON array; a bad query is one error line', async () => {
    const all = await hub.cli(['query', "SELECT * FROM devices WHERE STARTSWITH(deviceId, 'sim-')", '--page-size', '2']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(
      JSON.parse(all.stdout)
        .map((twin: { deviceId: string }) => twin.deviceId)
        .sort(),
      ['sim-0001', 'sim-0002', 'sim-0003'],
    );
    const limited = await hub.cli(['query', 'SELECT deviceId FROM devices', '--page-size', '1', '--max', '2']);
    assert.equal(JSON.parse(limited.stdout).length, 2);
    const grouped = JSON.parse((await hub.cli(['query', "SELECT COUNT() AS n FROM devices WHERE tags.building = '43'"])).stdout);
    assert.deepEqual(grouped, [{ n: 1 }]);
    assertHubErrorLine(await hub.cli(['query', 'SELECT * FROM devices WHERE']), /ArgumentInvalid: .*\(HTTP 400\)$/);
  });

  it('simulate without --devices is a usage error; with no reachable gateway it is one error line', async () => {
    assertUsageError(await hub.cli(['simulate']), /missing --devices <n>/);
    const unreachable = await hub.cli(['simulate', '--devices', '1', '--prefix', 'lost-', '--mqtts-port', '1']);
    assert.equal(unreachable.code, 1, unreachable.stderr);
    assert.match(unreachable.stderr, /^iothub-jobs: error: no device could connect to mqtts:\/\/[^ ]+:1$/m);
  });

  it('simulate stops cleanly and says what it did', async () => {
    const result = await fleet!.stop();
    fleet = undefined;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Stopped: answered 1 direct methods, reported [1-9]\d* desired-property patches\./);
  });
  it('devices import brings in JSON lines and reports failed lines; devices export writes them back out', async () => {
    const input = join(hub.dataDir, 'fleet.jsonl');
    const lines = [...Array.from({ length: 3 }, (_, i) => JSON.stringify({ id: `imported-${i}`, tags: { batch: 1 } })), '{"id": "bad id!"}'];
    writeFileSync(input, lines.join('\n') + '\n');
    const imported = await hub.cli(['devices', 'import', input]);
    assert.equal(imported.code, 1, 'one device failed');
    const summary = JSON.parse(imported.stdout);
    assert.deepEqual([summary.processed, summary.succeeded, summary.failed], [4, 3, 1]);
    assert.match(imported.stderr, /^3 of 4 devices imported in [\d.]+ s \(\d+\/s\)\n$/);

    const output = join(hub.dataDir, 'export.jsonl');
    const exported = await hub.cli(['devices', 'export', output]);
    assert.equal(exported.code, 0, exported.stderr);
    const rows = readFileSync(output, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      rows.filter((row) => row.id.startsWith('imported-')).map((row) => [row.id, row.tags.batch]),
      [
        ['imported-0', 1],
        ['imported-1', 1],
        ['imported-2', 1],
      ],
    );
    assert.match(exported.stderr, new RegExp(`^${rows.length} devices exported to `));
    assertHubErrorLine(await hub.cli(['devices', 'import', join(hub.dataDir, 'nothing.jsonl')]), /cannot read/);
  });
});
