import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHubError } from '../../src/errors/hub-error.js';
import { MAX_METHOD_PAYLOAD_BYTES, parseMethodRequest } from '../../src/gateway/methods/request.js';

function rejects(body: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseMethodRequest(body),
    (err: unknown) => isHubError(err) && err.code === 'ArgumentInvalid' && err.httpStatus === 400 && pattern.test(err.message),
  );
}

describe('direct-method request validation', () => {
  it('applies the defaults', () => {
    assert.deepEqual(parseMethodRequest({ methodName: 'reboot' }), {
      methodName: 'reboot',
      payload: null,
      responseTimeoutInSeconds: 30,
      connectTimeoutInSeconds: 0,
    });
    assert.deepEqual(parseMethodRequest({ methodName: 'm', payload: { a: [1] }, responseTimeoutInSeconds: null, connectTimeoutInSeconds: 300 }), {
      methodName: 'm',
      payload: { a: [1] },
      responseTimeoutInSeconds: 30,
      connectTimeoutInSeconds: 300,
    });
  });

  it('refuses bad method names', () => {
    rejects({}, /methodName/);
    rejects({ methodName: '' }, /methodName/);
    rejects({ methodName: 'x'.repeat(101) }, /100/);
    for (const name of ['a/b', 'a?b', 'a#b', 'a b', 'a\tb', 'a+b']) rejects({ methodName: name }, /methodName/);
    assert.equal(parseMethodRequest({ methodName: 'x'.repeat(100) }).methodName.length, 100);
  });

  it('refuses timeouts out of range', () => {
    rejects({ methodName: 'm', responseTimeoutInSeconds: 4 }, /responseTimeoutInSeconds/);
    rejects({ methodName: 'm', responseTimeoutInSeconds: 301 }, /responseTimeoutInSeconds/);
    rejects({ methodName: 'm', responseTimeoutInSeconds: 5.5 }, /responseTimeoutInSeconds/);
    rejects({ methodName: 'm', connectTimeoutInSeconds: -1 }, /connectTimeoutInSeconds/);
    rejects({ methodName: 'm', connectTimeoutInSeconds: 301 }, /connectTimeoutInSeconds/);
    rejects({ methodName: 'm', connectTimeoutInSeconds: '5' }, /connectTimeoutInSeconds/);
  });

  it('refuses payloads over 128 KB', () => {
    const fits = 'x'.repeat(MAX_METHOD_PAYLOAD_BYTES - 2); // JSON adds the two quotes
    assert.equal(parseMethodRequest({ methodName: 'm', payload: fits }).payload, fits);
    rejects({ methodName: 'm', payload: `${fits}x` }, /payload.*131072/);
  });

  it('refuses a body that is not an object', () => {
    rejects([], /body/);
    rejects('reboot', /body/);
  });
});
