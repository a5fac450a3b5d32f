import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.js';
import { freePorts, ROOT } from '../run/helpers/hub-process.js';

const BIN = `${ROOT}bin/iothub-jobs.js`;

/** The installed command (package.json bin → the compiled CLI) as its own process. */
function iothubJobs(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the iothub-jobs executable', () => {
  const dir = makeTempDir('iothub-bin-');
  before(() => assert.ok(existsSync(`${ROOT}dist/src/cli/bin.js`), 'dist/ is not built: run `npm run build` first (npm test does)'));
  after(() => dir.remove());

  it('prints help (exit 0) and command help; without arguments it prints usage and exits 2', async () => {
    const help = await iothubJobs(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['devices create', 'twin update', 'method invoke', 'job schedule-method', 'job watch', 'query', 'simulate'])
      assert.ok(help.stdout.includes(command), command);
    const commandHelp = await iothubJobs(['job', 'watch', '--help']);
    assert.equal(commandHelp.code, 0);
    assert.match(commandHelp.stdout, /^usage: iothub-jobs job watch <jobId> \[options\]/);
    assert.match(commandHelp.stdout, /--connection-string <string>/);
    const bare = await iothubJobs([]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /^usage: iothub-jobs <command>/);
  });

  it('exits 2 when it has no hub to talk to, and 1 with one line when the hub is unreachable', async () => {
    const noHub = await iothubJobs(['devices', 'list'], { HUB_DATA_DIR: dir.path });
    assert.equal(noHub.code, 2);
    assert.match(noHub.stderr, /^iothub-jobs: no hub to talk to: pass --connection-string or set IOTHUB_CONNECTION_STRING/);

    const [closed] = await freePorts(1);
    const unreachable = await iothubJobs(['devices', 'list', '--port', String(closed)], {
      HUB_DATA_DIR: dir.path,
      IOTHUB_CONNECTION_STRING: 'HostName=127.0.0.1;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5',
    });
    assert.equal(unreachable.code, 1);
    assert.equal(unreachable.stderr, `iothub-jobs: error: cannot reach the hub at https://127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}\n`);
  });
});
