// The command-line forms Core spawns, and what people type.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, UsageError } from '../../temporal-lite/cli-args.js';

describe('temporal-lite command line', () => {
  it('<port>: the time-skipping test server, locked until a client unlocks', () => {
    assert.deepEqual(parseArgs(['7233']).options, { port: 7233, timeSkipping: true, timeSkippingLocked: true });
    assert.equal(parseArgs(['7233', '--enable-time-skipping']).options.timeSkippingLocked, false);
  });

  it('server start-dev: the flags createLocal passes, unknown ones warned about', () => {
    const parsed = parseArgs([
      'server',
      'start-dev',
      '--port',
      '8000',
      '--namespace',
      'default',
      '--namespace',
      'jobs',
      '--ip',
      '0.0.0.0',
      '--log-format',
      'pretty',
      '--log-level',
      'warn',
      '--dynamic-config-value',
      'x=1',
      '--headless',
      '--search-attribute',
      'DeviceId=Keyword',
      '--db-filename',
      '/tmp/x.db',
      '--frobnicate',
      'yes',
      '--other=1',
    ]);
    assert.deepEqual(parsed.options, {
      port: 8000,
      host: '0.0.0.0',
      namespace: ['default', 'jobs'],
      searchAttributes: ['DeviceId=Keyword'],
      dbFile: '/tmp/x.db',
    });
    assert.deepEqual(parsed.warnings, ["ignoring unknown flag '--frobnicate'", "ignoring unknown flag '--other'"]);
  });

  it('server start-dev: the Web UI on --port + 1000 at 127.0.0.1 unless told otherwise, the HTTP API on --http-port', () => {
    assert.deepEqual(parseArgs(['server', 'start-dev', '--port', '7233']).options.ui, { port: 8233, host: '127.0.0.1' });
    assert.deepEqual(parseArgs(['server', 'start-dev', '--port', '0']).options.ui, { port: 0, host: '127.0.0.1' }, 'any free port');
    const parsed = parseArgs([
      'server',
      'start-dev',
      '--ui-port',
      '9000',
      '--ui-ip',
      '0.0.0.0',
      '--ui-asset-path',
      '/srv/ui',
      '--ui-write-actions',
      '--http-port',
      '7243',
    ]);
    assert.deepEqual(parsed.options.ui, { port: 9000, host: '0.0.0.0', assetsDir: '/srv/ui', writeActions: true });
    assert.equal(parsed.options.httpPort, 7243);
    assert.equal(parseArgs(['server', 'start-dev', '--metrics-port', '9090']).options.metricsPort, 9090);
    assert.equal(parseArgs(['server', 'start-dev', '--headless']).options.ui, undefined);
    assert.throws(() => parseArgs(['server', 'start-dev', '--ui-port', 'x']), /invalid UI port 'x'/);
  });

  it('bad values are usage errors with a precise message', () => {
    assert.throws(
      () => parseArgs(['server', 'start-dev', '--port', '70000']),
      (e: unknown) => e instanceof UsageError && /invalid port '70000'/.test(e.message),
    );
    assert.throws(() => parseArgs(['server', 'start-dev', '--search-attribute', 'oops']), /expected NAME=TYPE/);
    assert.throws(() => parseArgs(['server', 'start-dev', '--db-filename']), /missing value for --db-filename/);
    assert.throws(() => parseArgs(['serve']), /unknown command/);
  });
});
