import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startTemporalLite, stderrLogger, type TemporalLite } from '../../temporal-lite/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { freePorts, HubProcess, type StartedHub } from './helpers/hub-process.js';

/** Parsed JSON log lines of a process's output (the banner and other plain lines are skipped). */
const jsonLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('a worker process whose Temporal worker fails', () => {
  const hubDir = makeTempDir('iothub-worker-fail-');
  const temporalDirs = [makeTempDir('iothub-worker-fail-t1-'), makeTempDir('iothub-worker-fail-t2-')];
  let temporal: TemporalLite | undefined;
  let hub: StartedHub | undefined;
  after(async () => {
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGKILL');
    await temporal?.close();
    hubDir.remove();
    for (const dir of temporalDirs) dir.remove();
  });

  it('logs the failure and exits non-zero (for its supervisor to restart it), readiness saying so before', async (t) => {
    const [temporalPort, httpPort] = await freePorts(2);
    temporal = await startTemporalLite({ port: temporalPort, dataDir: temporalDirs[0]!.path, namespace: 'jobs-ns', logger: stderrLogger('error') });
    hub = await HubProcess.start({
      HUB_DATA_DIR: hubDir.path,
      HUB_ROLES: 'worker',
      HUB_HTTP_PORT: String(httpPort),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'jobs-ns',
      TEMPORAL_CONNECT_TIMEOUT: '10',
    });
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    assert.equal(ready.status, 200, await ready.text());

    // The server comes back without the worker's namespace (a new cluster at the same address):
    // the SDK's core treats NOT_FOUND on its polls as fatal and fails the worker.
    await temporal.close();
    temporal = await startTemporalLite({ port: temporalPort, dataDir: temporalDirs[1]!.path, logger: stderrLogger('error') });

    // The SDK's core polls the replaced server only after 60-75 s (its poll of the old connection
    // does not fail sooner); the hub asks for its namespace every 2 s and fails the worker at once.
    // Waited for 30 s at most: without the hub's own check the process is still up by then.
    const failedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([hub.exited, new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), 30_000)))]);
    t.diagnostic(`the worker process ${code === 'running' ? 'was still up' : 'exited'} ${Date.now() - failedAt} ms after its namespace went away`);
    clearTimeout(timer);
    assert.equal(code, 1, `the worker process did not exit 1:\n${hub.output}`);
    const fatal = jsonLines(hub.output).find((line) => line.level === 60);
    assert.ok(fatal, hub.output);
    assert.match(String(fatal.msg), /stopped working/);
    assert.match(hub.output, /Namespace jobs-ns is not found/);
  });
});
