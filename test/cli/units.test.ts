import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CliError, UsageError } from '../../src/cli/command.js';
import { parseServiceConnectionString } from '../../src/cli/connection-string.js';
import { hubErrorLine } from '../../src/cli/error-line.js';
import { resolveHubTarget } from '../../src/cli/hub-target.js';
import { jobSummary, progressBar, progressLine } from '../../src/cli/job-progress.js';
import { ensureHubFile, updateHubFile } from '../../src/config/hub-file.js';
import { HubError } from '../../src/errors/hub-error.js';
import { errorBody } from '../../src/api/error-envelope.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('CLI building blocks', () => {
  const dir = makeTempDir('iothub-cli-units-');
  after(() => dir.remove());

  it('parses service connection strings and refuses device ones', () => {
    assert.deepEqual(parseServiceConnectionString('HostName=Hub.Example.com;SharedAccessKeyName=service;SharedAccessKey=abc='), {
      hostName: 'hub.example.com',
      port: undefined,
      keyName: 'service',
      key: 'abc=',
    });
    assert.equal(parseServiceConnectionString('hostname=localhost:8443;sharedaccesskeyname=x;sharedaccesskey=k;').port, 8443);
    assert.throws(
      () => parseServiceConnectionString('HostName=h;DeviceId=d;SharedAccessKey=k'),
      (err: unknown) => err instanceof UsageError && /device connection string/.test(err.message),
    );
    assert.throws(() => parseServiceConnectionString('HostName=h;SharedAccessKey=k'), /SharedAccessKeyName is missing/);
    assert.throws(() => parseServiceConnectionString('garbage'), /'garbage' is not Name=value/);
  });

  it('finds the hub: flags, then IOTHUB_CONNECTION_STRING, then hub.json, whose ports and CA apply only to the same hub', () => {
    const hubFile = ensureHubFile(dir.path, 'localhost');
    const caFile = join(dir.path, 'ca.pem');
    writeFileSync(caFile, 'PEM');
    updateHubFile(dir.path, { ports: { https: 18443, mqtts: 18883 }, caFile });
    const owner = hubFile.sharedAccessPolicies.find((policy) => policy.keyName === 'iothubowner')!;

    const local = resolveHubTarget({ dataDir: dir.path }, {});
    assert.deepEqual(
      { ...local, connection: local.connection.keyName },
      { connection: 'iothubowner', host: 'localhost', httpsPort: 18443, mqttsPort: 18883, ca: 'PEM', servername: 'localhost' },
    );

    const viaEnv = resolveHubTarget(
      {},
      {
        HUB_DATA_DIR: dir.path,
        IOTHUB_CONNECTION_STRING: `HostName=localhost;SharedAccessKeyName=service;SharedAccessKey=${hubFile.sharedAccessPolicies.find((p) => p.keyName === 'service')!.primaryKey}`,
      },
    );
    assert.equal(viaEnv.connection.keyName, 'service');
    assert.equal(viaEnv.httpsPort, 18443);

    const otherHub = resolveHubTarget(
      { dataDir: dir.path, connectionString: 'HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=b3RoZXI=' },
      {},
    );
    assert.deepEqual([otherHub.httpsPort, otherHub.mqttsPort, otherHub.ca], [443, 8883, undefined]);

    updateHubFile(dir.path, { ports: { temporalUi: 18233 } });
    assert.equal(resolveHubTarget({ dataDir: dir.path }, {}).temporalUiPort, 18233, "the hub's Web UI");
    assert.equal(otherHub.temporalUiPort, undefined);

    const flagged = resolveHubTarget(
      { dataDir: dir.path, httpsPort: 9443, connectionString: `HostName=127.0.0.1;SharedAccessKeyName=iothubowner;SharedAccessKey=${owner.primaryKey}` },
      {},
    );
    assert.deepEqual([flagged.httpsPort, flagged.servername], [9443, undefined]);

    assert.throws(
      () => resolveHubTarget({ dataDir: join(dir.path, 'none') }, {}),
      (err: unknown) => err instanceof UsageError && /no hub to talk to/.test(err.message),
    );
    assert.throws(
      () => resolveHubTarget({ dataDir: dir.path, caFile: join(dir.path, 'missing.pem') }, {}),
      (err: unknown) => err instanceof CliError && /ENOENT/.test(err.message),
    );
  });

  it("turns IoT Hub's error envelopes (and anything else) into one line", () => {
    const envelope1 = JSON.stringify(errorBody(new HubError('DeviceNotFound', "Device 'x' was not found")));
    assert.equal(hubErrorLine(404, envelope1), "DeviceNotFound: Device 'x' was not found (HTTP 404)");
    const envelope2 = JSON.stringify(errorBody(new HubError('GatewayTimeout', 'Timed out\nwaiting', { envelope: 2 })));
    assert.equal(hubErrorLine(504, envelope2), 'GatewayTimeout (504101): Timed out waiting (HTTP 504)');
    assert.equal(hubErrorLine(502, '<html>\n bad gateway </html>'), 'HTTP 502: <html> bad gateway </html>');
    assert.equal(hubErrorLine(500, ''), 'HTTP 500');
    assert.equal(hubErrorLine(400, '{"message":"plain"}'), 'HTTP 400: {"message":"plain"}');
  });

  it('draws job progress as a bar, a line and a summary', () => {
    const job = {
      jobId: 'j1',
      status: 'running',
      deviceJobStatistics: { deviceCount: 200, succeededCount: 90, failedCount: 10, runningCount: 20, pendingCount: 80 },
    };
    assert.equal(progressBar(job, 10), '[█████░░░░░]  50%  100/200 devices  (90 succeeded, 10 failed, 20 running, 80 pending)  running');
    assert.equal(progressLine(job), 'job j1 running: 100/200 devices done (90 succeeded, 10 failed, 20 running, 80 pending)');
    assert.equal(progressBar({ jobId: 'j0', status: 'scheduled' }, 4), '[░░░░]   0%  0/0 devices  (0 succeeded, 0 failed, 0 running, 0 pending)  scheduled');
    assert.equal(
      jobSummary({ ...job, status: 'failed', failureReason: 'maxExecutionTime reached' }),
      'job j1 failed: maxExecutionTime reached — 200 devices, 90 succeeded, 10 failed',
    );
  });
});
