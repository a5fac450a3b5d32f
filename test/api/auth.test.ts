import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUILT_IN_POLICIES } from '../../src/auth/policies.js';
import { createSasToken, sasSignature } from '../../src/auth/sas-token.js';
import { assertHubError, hubRequest, type HubResponse } from '../helpers/hub-http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';

/** Every REST route of the registry/twin API and the policies allowed to call it (Azure docs, "Control access to IoT Hub with shared access signatures"). */
const ROUTES: ReadonlyArray<{ method: string; path: string; body?: unknown; allowed: readonly string[] }> = [
  { method: 'GET', path: '/devices', allowed: ['iothubowner', 'registryRead', 'registryReadWrite'] },
  { method: 'GET', path: '/devices/', allowed: ['iothubowner', 'registryRead', 'registryReadWrite'] },
  { method: 'GET', path: '/devices/auth-dev', allowed: ['iothubowner', 'registryRead', 'registryReadWrite'] },
  { method: 'PUT', path: '/devices/auth-new', body: {}, allowed: ['iothubowner', 'registryReadWrite'] },
  { method: 'DELETE', path: '/devices/auth-gone', allowed: ['iothubowner', 'registryReadWrite'] },
  { method: 'GET', path: '/twins/auth-dev', allowed: ['iothubowner', 'service'] },
  { method: 'PATCH', path: '/twins/auth-dev', body: { tags: { t: 1 } }, allowed: ['iothubowner', 'service'] },
  { method: 'PUT', path: '/twins/auth-dev', body: { tags: { t: 2 } }, allowed: ['iothubowner', 'service'] },
  {
    method: 'POST',
    path: '/devices/query',
    body: { query: 'SELECT * FROM devices' },
    allowed: ['iothubowner', 'service', 'registryRead', 'registryReadWrite'],
  },
];

function assertUnauthorized(response: HubResponse, reason: RegExp): void {
  assertHubError(response, 401, 'IotHubUnauthorizedAccess', /^ErrorCode:IotHubUnauthorizedAccess;Unauthorized: /);
  assert.match(response.body.Message, reason);
}

for (const variant of STORE_VARIANTS) {
  describe(`REST authorization (${variant.name})`, { skip: variant.skip }, () => {
    let hub: TestHub;
    const owner = () => hub.policies.find((policy) => policy.keyName === 'iothubowner')!;
    const withToken = (authorization: string) => hubRequest(hub, { method: 'GET', path: '/devices', auth: { authorization } });

    before(async () => {
      hub = await startTestHub(variant);
      await hub.store.createDevice({ deviceId: 'auth-dev' });
    });
    after(() => hub.dispose());

    for (const route of ROUTES) {
      for (const { keyName } of BUILT_IN_POLICIES) {
        const allowed = route.allowed.includes(keyName);
        it(`${route.method} ${route.path} with '${keyName}' is ${allowed ? 'allowed' : 'refused'}`, async () => {
          if (route.method === 'DELETE') await hub.store.createDevice({ deviceId: 'auth-gone' }).catch(() => {});
          if (route.method === 'PUT' && route.path.startsWith('/devices/')) await hub.store.deleteDevice('auth-new').catch(() => {});
          const twinBefore = await hub.store.getTwin('auth-dev');
          const response = await hubRequest(hub, { method: route.method, path: route.path, body: route.body, auth: keyName });
          if (allowed) {
            assert.ok(response.status < 300, `${response.status} ${response.text}`);
            return;
          }
          assertUnauthorized(response, new RegExp(`policy '${keyName}' lacks the .* permission`));
          // A refused write changes nothing.
          assert.deepEqual(await hub.store.getTwin('auth-dev'), twinBefore);
          if (route.method === 'PUT' && route.path === '/devices/auth-new') assert.equal(await hub.store.getDevice('auth-new'), undefined);
          if (route.method === 'DELETE') assert.ok(await hub.store.getDevice('auth-gone'));
        });
      }
    }

    it('refuses a request without Authorization', async () => {
      assertUnauthorized(await hubRequest(hub, { method: 'GET', path: '/devices', auth: null }), /Authorization header .* is missing/);
    });

    it('refuses malformed tokens', async () => {
      assertUnauthorized(await withToken('Bearer abc'), /malformed SAS token, the token must start with 'SharedAccessSignature'/);
      assertUnauthorized(await withToken('SharedAccessSignature sr=localhost&se=99999999999&skn=iothubowner'), /field 'sig' is missing/);
      assertUnauthorized(await withToken('SharedAccessSignature sr=localhost&sig=x&se=soon&skn=iothubowner'), /expiry 'se' must be Unix seconds/);
      assertUnauthorized(await withToken('SharedAccessSignature sr=localhost&sig=%ZZ&se=1&skn=iothubowner'), /'sig' is not valid URL encoding/);
      assertUnauthorized(await withToken('SharedAccessSignature garbage'), /malformed field 'garbage'/);
    });

    it('refuses an expired token', async () => {
      const token = createSasToken({ sr: 'localhost', key: owner().primaryKey, keyName: 'iothubowner', expiresAt: new Date(Date.now() - 1000) });
      assertUnauthorized(await withToken(token), /expired at/);
    });

    it('refuses a token signed with another key, for another hub, or an unknown policy', async () => {
      const expiresAt = new Date(Date.now() + 3600_000);
      const otherKey = Buffer.alloc(32, 7).toString('base64');
      assertUnauthorized(await withToken(createSasToken({ sr: 'localhost', key: otherKey, keyName: 'iothubowner', expiresAt })), /signature does not match/);
      assertUnauthorized(
        await withToken(createSasToken({ sr: 'otherhub.example', key: owner().primaryKey, keyName: 'iothubowner', expiresAt })),
        /'otherhub\.example' is not this hub/,
      );
      assertUnauthorized(
        await withToken(createSasToken({ sr: 'localhost', key: owner().primaryKey, keyName: 'nobody', expiresAt })),
        /unknown shared access policy 'nobody'/,
      );
      assertUnauthorized(
        await withToken(createSasToken({ sr: 'localhost/devices/auth-dev', key: owner().primaryKey, expiresAt })),
        /names no shared access policy/,
      );
    });

    it('accepts the secondary key, a host:port or differently cased resource, and fields in any order', async () => {
      const expiresAt = new Date(Date.now() + 3600_000);
      const { primaryKey, secondaryKey } = owner();
      for (const token of [
        createSasToken({ sr: 'localhost', key: secondaryKey, keyName: 'iothubowner', expiresAt }),
        createSasToken({ sr: 'localhost:8443', key: primaryKey, keyName: 'iothubowner', expiresAt }),
        createSasToken({ sr: 'LocalHost', key: primaryKey, keyName: 'iothubowner', expiresAt }),
      ]) {
        assert.equal((await withToken(token)).status, 200, token);
      }
      const se = String(Math.floor(expiresAt.getTime() / 1000));
      const sig = encodeURIComponent(sasSignature('localhost', se, primaryKey));
      assert.equal((await withToken(`SharedAccessSignature skn=iothubowner&se=${se}&sig=${sig}&sr=localhost`)).status, 200);
    });
  });
}
