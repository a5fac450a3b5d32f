import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubError } from '../../src/errors/hub-error.js';
import { validateDeviceId } from '../../src/registry/device/device-id.js';
import { deviceEtag, deviceEtagCounter } from '../../src/registry/device/etag.js';
import { newDevice, replacedDevice } from '../../src/registry/device/identity.js';
import { sasKeysOf } from '../../src/registry/device/keys.js';
import { assertEtagMatches, parseIfMatch } from '../../src/registry/if-match.js';

const NOW = '2024-05-10T07:11:30.0000000Z';
const isArgumentInvalid = (message: RegExp) => (err: unknown) => err instanceof HubError && err.code === 'ArgumentInvalid' && message.test(err.message);

describe('device ids', () => {
  it('accepts every allowed character and 128 characters', () => {
    validateDeviceId("aZ09-:.+%_#*?!(),=@;$'");
    validateDeviceId('d'.repeat(128));
  });

  for (const bad of ['', 'd'.repeat(129), 'has space', 'slash/', 'ümlaut', 'back\\slash', 'quote"', 'tab\t']) {
    it(`rejects ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 10)}…(${bad.length})` : bad)}`, () => {
      assert.throws(() => validateDeviceId(bad), isArgumentInvalid(/Device id/));
    });
  }
});

describe('device etags', () => {
  it('are base64 of an ASCII decimal counter', () => {
    assert.equal(deviceEtag(733117103), 'NzMzMTE3MTAz');
    assert.equal(deviceEtagCounter('NzMzMTE3MTAz'), 733117103);
  });
});

describe('new device', () => {
  it('generates 32-byte base64 keys when none (or empty ones) are given', () => {
    const device = newDevice({ deviceId: 'd1', authentication: { symmetricKey: { primaryKey: '', secondaryKey: undefined } } });
    for (const key of Object.values(sasKeysOf(device))) {
      assert.equal(Buffer.from(key, 'base64').length, 32);
    }
    assert.notEqual(device.authentication.symmetricKey.primaryKey, device.authentication.symmetricKey.secondaryKey);
  });

  it('has IoT Hub defaults', () => {
    const device = newDevice({ deviceId: 'd1' });
    assert.equal(device.etag, 'MQ==');
    assert.equal(device.status, 'enabled');
    assert.equal(device.connectionState, 'Disconnected');
    assert.equal(device.statusUpdatedTime, '0001-01-01T00:00:00Z');
    assert.equal(device.lastActivityTime, '0001-01-01T00:00:00Z');
    assert.equal(device.cloudToDeviceMessageCount, 0);
    assert.match(device.generationId, /^\d{18}$/);
    assert.deepEqual(device.capabilities, { iotEdge: false });
    assert.deepEqual(device.authentication.x509Thumbprint, { primaryThumbprint: null, secondaryThumbprint: null });
  });

  it('keeps given keys and rejects keys that are not base64 of 16–64 bytes', () => {
    const primaryKey = Buffer.alloc(16, 1).toString('base64');
    assert.equal(newDevice({ deviceId: 'd1', authentication: { symmetricKey: { primaryKey } } }).authentication.symmetricKey.primaryKey, primaryKey);
    for (const bad of ['not base64!', Buffer.alloc(15).toString('base64'), Buffer.alloc(65).toString('base64')]) {
      assert.throws(
        () => newDevice({ deviceId: 'd1', authentication: { symmetricKey: { secondaryKey: bad } } }),
        isArgumentInvalid(/authentication\.symmetricKey\.secondaryKey must be base64 encoding 16 to 64 bytes/),
      );
    }
  });

  it('stores X.509 identities as IoT Hub returns them: thumbprints for selfSigned, no keys', () => {
    const sha1 = 'A'.repeat(40);
    const sha256 = 'b'.repeat(64);
    const selfSigned = newDevice({
      deviceId: 'x1',
      authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: sha1, secondaryThumbprint: sha256 } },
    });
    assert.deepEqual(selfSigned.authentication, {
      type: 'selfSigned',
      symmetricKey: { primaryKey: null, secondaryKey: null },
      x509Thumbprint: { primaryThumbprint: sha1, secondaryThumbprint: sha256 },
    });
    const ca = newDevice({ deviceId: 'x2', authentication: { type: 'certificateAuthority' } });
    assert.deepEqual(ca.authentication, {
      type: 'certificateAuthority',
      symmetricKey: { primaryKey: null, secondaryKey: null },
      x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
    });
    const backToSas = replacedDevice(selfSigned, { deviceId: 'x1' }, '2024-01-01T00:00:00Z');
    assert.equal(backToSas.authentication.type, 'sas');
    assert.equal(Buffer.from(sasKeysOf(backToSas).primaryKey, 'base64').length, 32);
    assert.deepEqual(backToSas.authentication.x509Thumbprint, { primaryThumbprint: null, secondaryThumbprint: null });
  });

  it('rejects selfSigned without a primary thumbprint or with a malformed one, and type none', () => {
    assert.throws(() => newDevice({ deviceId: 'd1', authentication: { type: 'selfSigned' } }), isArgumentInvalid(/primaryThumbprint is required/));
    assert.throws(
      () => newDevice({ deviceId: 'd1', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: 'abc' } } }),
      isArgumentInvalid(/primaryThumbprint must be a SHA-1 \(40\) or SHA-256 \(64\) hex thumbprint/),
    );
    assert.throws(
      () =>
        newDevice({
          deviceId: 'd1',
          authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: 'a'.repeat(40), secondaryThumbprint: 'g'.repeat(40) } },
        }),
      isArgumentInvalid(/secondaryThumbprint must be/),
    );
    assert.throws(() => newDevice({ deviceId: 'd1', authentication: { type: 'none' } }), isArgumentInvalid(/'none' is not supported/));
  });

  it('rejects bad status values', () => {
    assert.throws(() => newDevice({ deviceId: 'd1', status: 'off' as never }), isArgumentInvalid(/status must be 'enabled' or 'disabled'/));
    assert.throws(() => newDevice({ deviceId: 'd1', statusReason: 'r'.repeat(129) }), isArgumentInvalid(/statusReason/));
    // Neither can PostgreSQL store (found by the REST fuzz: a raw SQL error, a 500, before this check).
    assert.throws(() => newDevice({ deviceId: 'd1', statusReason: 'a\u0000' }), isArgumentInvalid(/statusReason may not contain the character U\+0000/));
    assert.throws(() => newDevice({ deviceId: 'd1', statusReason: 'a\ud800' }), isArgumentInvalid(/statusReason may not contain an unpaired surrogate/));
  });
});

describe('replaced device', () => {
  it('keeps keys when none are given, moves the etag, and stamps statusUpdatedTime only on a status change', () => {
    const current = newDevice({ deviceId: 'd1' });
    const same = replacedDevice(current, { deviceId: 'd1', authentication: { symmetricKey: { primaryKey: '' } } }, NOW);
    assert.deepEqual(same.authentication.symmetricKey, current.authentication.symmetricKey);
    assert.equal(same.etag, 'Mg==');
    assert.equal(same.statusUpdatedTime, current.statusUpdatedTime);
    assert.equal(same.generationId, current.generationId);
    const disabled = replacedDevice(same, { deviceId: 'd1', status: 'disabled', statusReason: 'maintenance' }, NOW);
    assert.equal(disabled.status, 'disabled');
    assert.equal(disabled.statusReason, 'maintenance');
    assert.equal(disabled.statusUpdatedTime, NOW);
    assert.equal(disabled.etag, 'Mw==');
  });
});

describe('If-Match', () => {
  it('accepts quoted, unquoted, weak and wildcard forms', () => {
    assert.equal(parseIfMatch('"AAAAAAAAAAE="'), 'AAAAAAAAAAE=');
    assert.equal(parseIfMatch('AAAAAAAAAAE='), 'AAAAAAAAAAE=');
    assert.equal(parseIfMatch('W/"AAAAAAAAAAE="'), 'AAAAAAAAAAE=');
    assert.equal(parseIfMatch('*'), undefined);
    assert.equal(parseIfMatch('"*"'), undefined);
    assert.equal(parseIfMatch(undefined), undefined);
  });

  it('rejects malformed values with 400', () => {
    for (const bad of ['', '""', '"abc', 'a"b', 'a, b']) assert.throws(() => parseIfMatch(bad), isArgumentInvalid(/Invalid If-Match header value/));
  });

  it('a mismatch is 412 PreconditionFailed', () => {
    assert.doesNotThrow(() => assertEtagMatches('"MQ=="', 'MQ==', 'Device'));
    assert.throws(
      () => assertEtagMatches('"Mg=="', 'MQ==', 'Device'),
      (err: unknown) => err instanceof HubError && err.code === 'PreconditionFailed' && err.httpStatus === 412,
    );
  });
});
