import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readableLine } from '../../src/observe/readable-log.js';
import { scrubSecrets } from '../../src/observe/secrets.js';
import { statementKind } from '../../src/observe/timed-driver.js';
import { capturingLogger, type LogLine } from '../helpers/capture-log.js';

const KEY = 'c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5YWJjZGVm';

describe('secrets in log lines', () => {
  it('scrubs connection-string keys, SAS signatures, key fields, private keys and URL passwords', () => {
    const cases: Array<[string, string]> = [
      [`HostName=h;SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}`, 'HostName=h;SharedAccessKeyName=iothubowner;SharedAccessKey=[redacted]'],
      [`SharedAccessSignature sr=h&sig=abc%2Bdef%3D&se=1&skn=owner`, 'SharedAccessSignature sr=h&sig=[redacted]&se=1&skn=owner'],
      [`GET /x?sig=abc&se=2`, 'GET /x?sig=[redacted]&se=2'],
      [`{"primaryKey":"${KEY}","secondaryKey":"${KEY}"}`, '{"primaryKey":"[redacted]","secondaryKey":"[redacted]"}'],
      ['postgres://iothub:hunter2@db:5432/iothub', 'postgres://iothub:[redacted]@db:5432/iothub'],
      ['-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----', '[redacted private key]'],
    ];
    for (const [text, clean] of cases) assert.equal(scrubSecrets(text), clean);
    assert.equal(scrubSecrets('a sig of nothing, design=ok'), 'a sig of nothing, design=ok');
  });

  it('a logger scrubs whatever is logged, in the message, in fields and in errors', () => {
    const lines: LogLine[] = [];
    const log = capturingLogger(lines);
    log.info({ connectionString: `HostName=h;SharedAccessKey=${KEY}` }, `token SharedAccessSignature sr=h&sig=${KEY}&se=1`);
    log.error({ err: new Error(`bad key SharedAccessKey=${KEY}`) }, 'failed');
    const text = JSON.stringify(lines);
    assert.ok(!text.includes(KEY), text);
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.msg, 'failed');
  });

  it('readable lines for a terminal: time, level, message, fields, the error stack below', () => {
    const line = readableLine(
      '{"level":50,"time":"2026-01-02T03:04:05.678Z","pid":1,"msg":"Job finished","jobId":"j1","err":{"message":"boom","stack":"Error: boom\\n    at x"}}',
    );
    assert.equal(line, '03:04:05.678 ERROR Job finished  jobId=j1\n    Error: boom\n        at x\n');
  });

  it('store statements are labelled by kind only', () => {
    assert.equal(statementKind('  SELECT * FROM devices'), 'select');
    assert.equal(statementKind('insert into x values ($1)'), 'insert');
    assert.equal(statementKind('WITH t AS (SELECT 1) UPDATE x SET y = 1'), 'with');
    assert.equal(statementKind('BEGIN'), 'other');
  });
});
