import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateBuiltInPolicies } from '../../src/auth/policies.js';
import { createSasToken } from '../../src/auth/sas-token.js';
import { authenticateDevice, type DeviceAuthDeps } from '../../src/gateway/auth/device-auth.js';
import { sasKeysOf } from '../../src/registry/device/keys.js';
import { openHubStore } from '../../src/registry/open-store.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HOST = 'localhost';
const USERNAME = `${HOST}/dev1/?api-version=2021-04-12&DeviceClientType=azure-iot-device%2F1.18.4`;
const inAnHour = () => new Date(Date.now() + 3600_000);
const encode = (text: string) => encodeURIComponent(text);

describe('device authentication (SQLite store)', () => {
  const dir = makeTempDir('iothub-gw-auth-');
  const policies = generateBuiltInPolicies();
  let store: SqlHubStore;
  let deps: DeviceAuthDeps;
  let primaryKey: string;
  let secondaryKey: string;

  before(async () => {
    store = await openHubStore({ dataDir: dir.path });
    const device = await store.createDevice({ deviceId: 'dev1' });
    ({ primaryKey, secondaryKey } = sasKeysOf(device));
    await store.createDevice({ deviceId: 'off', status: 'disabled' });
    deps = { store, hubHostName: HOST, policies };
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  const token = (options: { sr?: string; key?: string; keyName?: string; expiresAt?: Date } = {}) =>
    Buffer.from(
      createSasToken({
        sr: options.sr ?? encode(`${HOST}/devices/dev1`),
        key: options.key ?? primaryKey,
        keyName: options.keyName,
        expiresAt: options.expiresAt ?? inAnHour(),
      }),
    );
  const connect = (password: Buffer | undefined, username: string | undefined = USERNAME, clientId = 'dev1') =>
    authenticateDevice({ clientId, username, password }, deps);
  const policyKey = (name: string) => policies.find((p) => p.keyName === name)!.primaryKey;

  it('accepts the primary and secondary device keys, encoded or raw sr, with or without port', async () => {
    const accepted = await connect(token());
    assert.equal(accepted.ok && accepted.deviceId, 'dev1');
    assert.equal((await connect(token({ key: secondaryKey }))).ok, true);
    assert.equal((await connect(token({ sr: `${HOST}/devices/dev1` }))).ok, true);
    assert.equal((await connect(token({ sr: encode(`${HOST}:8883/devices/dev1`) }))).ok, true);
    assert.equal((await connect(token({ sr: encode(`LOCALHOST/devices/dev1`) }))).ok, true);
    assert.equal((await connect(token(), `${HOST}:8883/dev1/?api-version=2021-04-12&model-id=dtmi%3Ax%3B1`)).ok, true);
  });

  it('accepts policy keys that grant DeviceConnect only', async () => {
    assert.equal((await connect(token({ key: policyKey('device'), keyName: 'device' }))).ok, true);
    assert.equal((await connect(token({ key: policyKey('iothubowner'), keyName: 'iothubowner' }))).ok, true);
    assert.deepEqual(await connect(token({ key: policyKey('service'), keyName: 'service' })), {
      ok: false,
      returnCode: 5,
      reason: 'bad signature',
    });
    assert.equal((await connect(token({ key: primaryKey, keyName: 'device' }))).ok, false);
  });

  it('refuses wrong keys, expired tokens and tokens for another resource with 5', async () => {
    const otherKey = Buffer.alloc(32, 7).toString('base64');
    const cases: Array<[Buffer, string]> = [
      [token({ key: otherKey }), 'bad signature'],
      [token({ expiresAt: new Date(Date.now() - 1000) }), 'token expired'],
      [token({ sr: encode(`${HOST}/devices/dev2`) }), 'token resource is not this device'],
      [token({ sr: encode(`otherhub/devices/dev1`) }), 'token resource is not this device'],
      [token({ sr: encode(`${HOST}`) }), 'token resource is not this device'],
    ];
    for (const [password, reason] of cases) assert.deepEqual(await connect(password), { ok: false, returnCode: 5, reason });
  });

  it('refuses unknown and disabled devices and a clientId that is not the device with 5', async () => {
    const forDevice = (id: string) => token({ sr: encode(`${HOST}/devices/${id}`) });
    assert.deepEqual(await connect(forDevice('ghost'), `${HOST}/ghost/?api-version=2021-04-12`, 'ghost'), {
      ok: false,
      returnCode: 5,
      reason: 'unknown device',
    });
    assert.deepEqual(await connect(forDevice('off'), `${HOST}/off/?api-version=2021-04-12`, 'off'), {
      ok: false,
      returnCode: 5,
      reason: 'device disabled',
    });
    assert.equal((await connect(token(), USERNAME, 'dev2')).ok, false);
    assert.equal((await connect(token(), `${HOST}/dev1/mod1/?api-version=2021-04-12`)).ok, false);
  });

  it("re-checks an accepted connection against later identities: status, the signing key's presence", async () => {
    const admission = async (password: Buffer) => {
      const result = await connect(password);
      assert.ok(result.ok);
      return result.admits;
    };
    const device = (await store.getDevice('dev1'))!;
    const withKeys = (keys: Partial<typeof device.authentication.symmetricKey>) => ({
      ...device,
      authentication: { ...device.authentication, symmetricKey: { ...device.authentication.symmetricKey, ...keys } },
    });
    const newKey = Buffer.alloc(32, 9).toString('base64');
    const byPrimary = await admission(token());
    assert.equal(byPrimary(device), true);
    const renamed = { ...device, statusReason: 'renamed', etag: 'Mg==' };
    assert.equal(byPrimary(renamed), true, 'unrelated changes keep it');
    assert.equal(byPrimary(withKeys({ secondaryKey: newKey })), true, 'the other key changed');
    assert.equal(byPrimary(withKeys({ primaryKey: newKey })), false, 'its key is gone');
    assert.equal(byPrimary(withKeys({ primaryKey: secondaryKey, secondaryKey: primaryKey })), true, 'keys swapped');
    assert.equal(byPrimary({ ...device, status: 'disabled' }), false);
    assert.equal(byPrimary(undefined), false, 'deleted');
    const byPolicy = await admission(token({ key: policyKey('device'), keyName: 'device' }));
    assert.equal(byPolicy(withKeys({ primaryKey: newKey, secondaryKey: newKey })), true, 'policy keys do not change with the device');
    assert.equal(byPolicy({ ...device, status: 'disabled' }), false);
  });

  it('refuses malformed usernames and passwords with 4', async () => {
    for (const username of [undefined, '', 'dev1', `${HOST}/dev1`, `${HOST}//?api-version=1`, `a/b/c/d/?x`]) {
      const result = await authenticateDevice({ clientId: 'dev1', username, password: token() }, deps);
      assert.equal(result.ok === false && result.returnCode, 4, String(username));
    }
    for (const password of [undefined, Buffer.from('secret'), Buffer.from('SharedAccessSignature sr=x&se=1')]) {
      const result = await connect(password);
      assert.equal(result.ok === false && result.returnCode, 4);
    }
  });
});
