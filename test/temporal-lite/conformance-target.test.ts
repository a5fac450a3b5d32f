// Which server the conformance suites run against: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conformanceTarget, describeTarget } from './helpers/target.js';

describe('conformance target', () => {
  it('without TEMPORAL_ADDRESS (or with a blank one): temporal-lite', () => {
    assert.deepEqual(conformanceTarget({}), { kind: 'temporal-lite' });
    assert.deepEqual(conformanceTarget({ TEMPORAL_ADDRESS: '  ', TEMPORAL_NAMESPACE: 'jobs' }), { kind: 'temporal-lite' });
  });

  it('TEMPORAL_ADDRESS names a server; the namespace defaults to default', () => {
    assert.deepEqual(conformanceTarget({ TEMPORAL_ADDRESS: 'temporal.internal:7233' }), {
      kind: 'temporal-server',
      address: 'temporal.internal:7233',
      namespace: 'default',
    });
    assert.deepEqual(conformanceTarget({ TEMPORAL_ADDRESS: ' 127.0.0.1:7233 ', TEMPORAL_NAMESPACE: ' conformance ' }), {
      kind: 'temporal-server',
      address: '127.0.0.1:7233',
      namespace: 'conformance',
    });
    assert.deepEqual(conformanceTarget({ TEMPORAL_ADDRESS: '[::1]:7233', TEMPORAL_NAMESPACE: '' }), {
      kind: 'temporal-server',
      address: '[::1]:7233',
      namespace: 'default',
    });
  });

  it('a malformed TEMPORAL_ADDRESS is an error naming the variable', () => {
    for (const address of ['localhost', 'http://localhost:7233', 'localhost:0', 'localhost:70000', 'localhost:port', ':7233']) {
      assert.throws(() => conformanceTarget({ TEMPORAL_ADDRESS: address }), /TEMPORAL_ADDRESS must be host:port/, address);
    }
  });

  it('describes the target for suite titles', () => {
    assert.equal(describeTarget({ kind: 'temporal-lite' }), 'temporal-lite');
    assert.equal(describeTarget({ kind: 'temporal-server', address: 'h:1', namespace: 'n' }), 'the Temporal server at h:1 (namespace n)');
  });
});
