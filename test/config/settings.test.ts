import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSettings, SettingsError } from '../../src/config/settings.js';
import { hubOptionsFromSettings } from '../../src/hub.js';

describe('settings from the environment', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(loadSettings({}), {
      dataDir: './data',
      hostName: 'localhost',
      bindAddress: '127.0.0.1',
      httpsPort: 8443,
      httpPort: 8080,
      databaseUrl: undefined,
      tls: undefined,
    });
  });

  it('reads every variable; empty values count as unset; HTTP port 0 turns plain HTTP off', () => {
    const settings = loadSettings({
      HUB_DATA_DIR: '/var/lib/hub',
      HUB_HOSTNAME: 'Hub.Example.com',
      HUB_BIND_ADDRESS: '0.0.0.0',
      HUB_HTTPS_PORT: '443',
      HUB_HTTP_PORT: '0',
      DATABASE_URL: 'postgres://u@db:5432/hub',
      HUB_TLS_CERT_FILE: '/certs/c.pem',
      HUB_TLS_KEY_FILE: '/certs/k.pem',
      HUB_TLS_CA_FILE: '',
    });
    assert.equal(settings.hostName, 'hub.example.com');
    assert.equal(settings.httpsPort, 443);
    assert.deepEqual(settings.tls, { certFile: '/certs/c.pem', keyFile: '/certs/k.pem', caFile: undefined });
    const options = hubOptionsFromSettings(settings);
    assert.equal(options.httpPort, undefined);
    assert.equal(options.databaseUrl, 'postgres://u@db:5432/hub');
  });

  it('lists every bad value with its variable', () => {
    assert.throws(
      () =>
        loadSettings({ HUB_HTTPS_PORT: 'https', HUB_HTTP_PORT: '70000', HUB_HOSTNAME: 'bad host', DATABASE_URL: 'mysql://x', HUB_BIND_ADDRESS: 'everywhere' }),
      (err: unknown) => {
        assert.ok(err instanceof SettingsError);
        for (const line of [
          "HUB_HTTPS_PORT: expected a port number 0-65535 (got 'https')",
          "HUB_HTTP_PORT: expected a port number 0-65535 (got '70000')",
          "HUB_HOSTNAME: expected a DNS name or an IPv4 address (got 'bad host')",
          "DATABASE_URL: expected a postgres:// URL (got 'mysql://x')",
          "HUB_BIND_ADDRESS: expected an IP address (got 'everywhere')",
        ]) {
          assert.ok(err.message.includes(line), `${line}\n in \n${err.message}`);
        }
        return true;
      },
    );
  });

  it('needs both TLS certificate and key', () => {
    assert.throws(() => loadSettings({ HUB_TLS_KEY_FILE: '/k.pem' }), /set both HUB_TLS_CERT_FILE and HUB_TLS_KEY_FILE/);
  });
});
