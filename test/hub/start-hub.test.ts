import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { readHubFile } from '../../src/config/hub-file.js';
import { Router } from 'express';
import { requirePermission } from '../../src/api/auth.js';
import { startHub, type HubOptions, type HubPartContext } from '../../src/hub.js';
import type { DesiredPropertiesPatch } from '../../src/registry/model.js';
import { silentLogger } from '../../src/logger.js';
import { hubRequest, serviceToken } from '../helpers/hub-http.js';
import { registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS, type StoreVariant } from '../helpers/store-variants.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

function plainGet(port: number, path: string, authorization: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { authorization }, agent: false }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

for (const variant of STORE_VARIANTS) {
  describe(`startHub (${variant.name})`, { skip: variant.skip }, () => {
    let dir: ReturnType<typeof makeTempDir>;
    let database: ReturnType<StoreVariant['create']>;
    let options: HubOptions;

    before(() => {
      dir = makeTempDir('iothub-start-');
      database = variant.create();
      options = {
        dataDir: dir.path,
        bindAddress: '127.0.0.1',
        httpsPort: 0,
        httpPort: 0,
        databaseUrl: database.databaseUrl,
        databaseSchema: database.databaseSchema,
        log: silentLogger,
      };
    });
    after(async () => {
      await database.drop();
      dir.remove();
    });

    it('starts, records itself in hub.json, and a second start reuses keys, certificates and data', async () => {
      const first = await startHub(options);
      let connectionString: string;
      let ca: string;
      try {
        const file = readHubFile(dir.path)!;
        assert.deepEqual(file.ports, { https: first.api.httpsPort, http: first.api.httpPort });
        assert.equal(file.caFile, first.tls.caFile);
        assert.equal(file.hostName, 'localhost');
        connectionString = first.connectionString();
        assert.match(connectionString, /^HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=[A-Za-z0-9+/=]{44}$/);
        ca = first.tls.ca;
        await registryFor(connectionString, { port: first.api.httpsPort, ca }).create({ deviceId: 'survivor' });
        const plain = await plainGet(first.api.httpPort!, '/devices?api-version=2021-04-12', serviceToken(first, 'registryRead'));
        assert.equal(plain.status, 200);
        assert.equal((plain.body as Array<{ deviceId: string }>)[0]!.deviceId, 'survivor');
      } finally {
        await first.close();
      }

      const second = await startHub(options);
      try {
        assert.equal(second.connectionString(), connectionString);
        assert.equal(second.tls.ca, ca);
        const { responseBody } = await registryFor(connectionString, { port: second.api.httpsPort, ca }).get('survivor');
        assert.equal(responseBody.deviceId, 'survivor');
      } finally {
        await second.close();
      }
    });

    it('fails clearly when its port is taken, leaving nothing open', async () => {
      const running = await startHub({ ...options, httpPort: undefined });
      try {
        await assert.rejects(
          startHub({ ...options, httpPort: undefined, httpsPort: running.api.httpsPort }),
          new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${running.api.httpsPort}: the port is in use`),
        );
      } finally {
        await running.close();
      }
    });

    it('starts parts: their routers are mounted, notifiers told, ports recorded, and they close after the API', async () => {
      const events: string[] = [];
      const changes: DesiredPropertiesPatch[] = [];
      let seen: HubPartContext | undefined;
      const router = Router();
      router.get('/part/hello', requirePermission('ServiceConnect'), (_req, res) => {
        res.json({ hello: 'from the part' });
      });
      const hub = await startHub({
        ...options,
        httpPort: undefined,
        parts: [
          async (context) => {
            seen = context;
            events.push('part started');
            return {
              routers: [router],
              events: { onDesiredChange: (change) => void changes.push(change) },
              ports: { mqtts: 18883 },
              close: async () => void events.push('part closed'),
            };
          },
        ],
      });
      try {
        assert.equal(seen?.store, hub.store);
        assert.equal(seen?.hostName, 'localhost');
        assert.equal((await hubRequest(hub, { method: 'GET', path: '/part/hello' })).body.hello, 'from the part');
        assert.equal(readHubFile(dir.path)!.ports.mqtts, 18883);
        await hub.store.createDevice({ deviceId: 'part-dev' });
        await hubRequest(hub, { method: 'PATCH', path: '/twins/part-dev', body: { properties: { desired: { x: 1 } } } });
        await waitFor(() => changes.length === 1, 'the part to hear of the desired change');
        // Writers outside the REST API (twin jobs) announce through the context.
        await seen!.events.onDesiredChange({ deviceId: 'part-dev', patch: { y: 2 }, version: 3 });
        assert.deepEqual(changes[1], { deviceId: 'part-dev', patch: { y: 2 }, version: 3 });
      } finally {
        await hub.close();
      }
      assert.deepEqual(events, ['part started', 'part closed']);
      await assert.rejects(hubRequest(hub, { method: 'GET', path: '/devices' }), /ECONNREFUSED/);
    });

    it('close() is idempotent', async () => {
      const hub = await startHub({ ...options, httpPort: undefined });
      await hub.close();
      await hub.close();
    });
  });
}
