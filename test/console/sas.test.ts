// The console's SAS tokens (WebCrypto, computed in the page) are the hub's: the same signature as
// the SDKs' for the same inputs, and accepted by the hub's authentication.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSasToken as createInPage, CredentialsError, parseConnectionString } from '../../console/src/lib/sas.js';
import { generateBuiltInPolicies } from '../../src/auth/policies.js';
import { createSasToken } from '../../src/auth/sas-token.js';
import { authenticateService } from '../../src/auth/service-auth.js';

describe('console SAS tokens', () => {
  const policies = generateBuiltInPolicies();
  const owner = policies.find((policy) => policy.keyName === 'iothubowner')!;
  const expiresAt = new Date(Date.UTC(2030, 0, 1));

  it('sign exactly as the SDKs do, and the hub accepts them', async () => {
    const token = await createInPage({ hostName: 'Hub.Example.com', keyName: owner.keyName, key: owner.primaryKey }, expiresAt);
    const sdk = createSasToken({ sr: encodeURIComponent('hub.example.com'), key: owner.primaryKey, keyName: owner.keyName, expiresAt });
    const fields = (text: string) =>
      new Map(
        text
          .replace('SharedAccessSignature ', '')
          .split('&')
          .map((pair) => pair.split('=') as [string, string]),
      );
    assert.deepEqual(fields(token), fields(sdk));
    const principal = authenticateService(token, { hostName: 'hub.example.com', policies, now: new Date(Date.UTC(2029, 0, 1)) });
    assert.equal(principal.policyName, 'iothubowner');
  });

  it('read service connection strings and refuse device ones or missing parts', () => {
    assert.deepEqual(parseConnectionString(` HostName=h.example;SharedAccessKeyName=service;SharedAccessKey=${owner.primaryKey} `), {
      hostName: 'h.example',
      keyName: 'service',
      key: owner.primaryKey,
    });
    assert.throws(() => parseConnectionString('HostName=h;DeviceId=d;SharedAccessKey=a2V5'), CredentialsError);
    assert.throws(() => parseConnectionString('HostName=h;SharedAccessKey=a2V5'), /no SharedAccessKeyName= part/);
  });

  it('refuse a key that is not base64', async () => {
    await assert.rejects(createInPage({ hostName: 'h', keyName: 'service', key: 'not base64!' }, expiresAt), /not base64/);
  });
});
