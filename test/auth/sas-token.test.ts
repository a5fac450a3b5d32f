import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import common from 'azure-iot-common';
import { createSasToken, hasValidSignature, parseSasToken, SasTokenError } from '../../src/auth/sas-token.js';
import { authenticateService, assertPermission } from '../../src/auth/service-auth.js';
import { generateBuiltInPolicies } from '../../src/auth/policies.js';
import { HubError } from '../../src/errors/hub-error.js';

const KEY = Buffer.alloc(32, 3).toString('base64');

describe('SAS tokens', () => {
  it('match what the Azure SDK builds, byte for byte', () => {
    const expiry = 1_900_000_000;
    for (const [sr, keyName] of [
      ['localhost', 'iothubowner'],
      ['localhost%2Fdevices%2Fdev1', undefined],
      ["hub.example/devices/it's(1)", 'key*name!'],
    ] as const) {
      const ours = createSasToken({ sr, key: KEY, keyName, expiresAt: new Date(expiry * 1000) });
      const theirs = common.SharedAccessSignature.create(sr, keyName as string, KEY, expiry).extend(expiry);
      assert.equal(ours, theirs);
    }
  });

  it('parse fields in any order and verify signatures over sr exactly as sent', () => {
    const token = parseSasToken(createSasToken({ sr: 'localhost%2Fdevices%2Fd1', key: KEY, keyName: 'device', expiresAt: new Date(2_000_000_000_000) }));
    assert.deepEqual({ sr: token.sr, se: token.se, skn: token.skn }, { sr: 'localhost%2Fdevices%2Fd1', se: '2000000000', skn: 'device' });
    assert.ok(hasValidSignature(token, KEY));
    assert.ok(!hasValidSignature({ ...token, sr: 'localhost/devices/d1' }, KEY), 'decoding sr changes the signed text');
    assert.ok(!hasValidSignature(token, Buffer.alloc(32, 4).toString('base64')));
  });

  it('reject malformed tokens with a reason', () => {
    for (const [text, reason] of [
      ['sr=a&sig=b&se=1', /must start with/],
      ['SharedAccessSignature sr=a&sr=b&sig=c&se=1', /'sr' appears twice/],
      ['SharedAccessSignature sig=c&se=1', /'sr' is missing/],
      ['SharedAccessSignature sr=a&sig=c&se=-1', /Unix seconds/],
      ['SharedAccessSignature sr=a&=x&sig=c&se=1', /malformed field '=x'/],
    ] as const) {
      assert.throws(
        () => parseSasToken(text),
        (err: unknown) => err instanceof SasTokenError && reason.test(err.message),
        text,
      );
    }
  });
});

describe('service authentication', () => {
  const policies = generateBuiltInPolicies();
  const context = { hostName: 'myhub.local', policies, now: new Date(1_800_000_000_000) };
  const tokenFor = (name: string, sr = 'myhub.local', expiresAt = new Date(1_800_000_600_000)) =>
    createSasToken({ sr, key: policies.find((policy) => policy.keyName === name)!.primaryKey, keyName: name, expiresAt });

  it('returns the policy and its rights', () => {
    assert.deepEqual(authenticateService(tokenFor('registryRead'), context), { policyName: 'registryRead', rights: ['RegistryRead'] });
  });

  it('refuses a token that expires exactly now', () => {
    assert.throws(() => authenticateService(tokenFor('service', 'myhub.local', context.now), context), /expired/);
  });

  it('accepts host:port resources but not other paths or ports that are not numbers', () => {
    assert.ok(authenticateService(tokenFor('service', 'MyHub.Local:443'), context));
    assert.throws(() => authenticateService(tokenFor('service', 'myhub.local/devices/x'), context), /is not this hub/);
    assert.throws(() => authenticateService(tokenFor('service', 'myhub.local:http'), context), /is not this hub/);
  });

  it('RegistryWrite implies RegistryRead; nothing else is implied', () => {
    assert.doesNotThrow(() => assertPermission({ policyName: 'w', rights: ['RegistryWrite'] }, ['RegistryRead']));
    assert.throws(
      () => assertPermission({ policyName: 'service', rights: ['ServiceConnect'] }, ['RegistryRead', 'RegistryWrite']),
      (err: unknown) =>
        err instanceof HubError && err.code === 'IotHubUnauthorizedAccess' && /lacks the RegistryRead or RegistryWrite permission/.test(err.message),
    );
  });
});
