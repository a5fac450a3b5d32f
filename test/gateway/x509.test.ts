// X.509 devices end to end: identities registered with the official service SDK, connected with the
// official device SDK (`x509=true` connection strings, setOptions({ cert, key })) over MQTT and over
// MQTT/WebSockets on the REST API's port, and refused with CONNACK 5 for a wrong certificate.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import common from 'azure-iot-common';
import device from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import mqtt from 'mqtt';
import type iothub from 'azure-iothub';
import { certificateThumbprints, createCertificateAuthority, issueDeviceCertificate, type KeyAndCertificate } from '../../src/tls/certificates.js';
import { connackCode, eventually, startGatewayHub, type GatewayTestHub } from '../helpers/gateway-hub.js';
import { hubRequest } from '../helpers/hub-http.js';
import { registryFor } from '../helpers/service-sdk.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { PortAgent } from '../helpers/websocket-agent.js';

type Transport = typeof mqttTransport.Mqtt | typeof mqttTransport.MqttWs;

for (const variant of STORE_VARIANTS) {
  describe(`X.509 devices (${variant.name})`, { skip: variant.skip }, () => {
    const dir = makeTempDir('iothub-x509-');
    const deviceCa = createCertificateAuthority('fleet CA');
    const otherCa = createCertificateAuthority('someone else');
    const selfCert = issueDeviceCertificate('x509-self');
    const spareCert = issueDeviceCertificate('x509-self');
    let hub: GatewayTestHub;
    let registry: iothub.Registry;
    const clients: device.Client[] = [];

    /** The official device SDK with an `x509=true` connection string and the certificate given by setOptions. */
    async function x509Device(deviceId: string, credentials: KeyAndCertificate, transport: Transport = mqttTransport.Mqtt): Promise<device.Client> {
      const ws = transport === mqttTransport.MqttWs;
      // With x509=true the SDK dials HostName (GatewayHostName is ignored): MqttWs at :443, which PortAgent
      // takes to the REST port; Mqtt at the host:port given.
      const host = ws ? hub.hub.hostName : `${hub.hub.hostName}:${hub.gateway.port}`;
      const client = device.Client.fromConnectionString(`HostName=${host};DeviceId=${deviceId};x509=true`, transport);
      clients.push(client);
      await client.setOptions({
        cert: credentials.certPem,
        key: credentials.keyPem,
        ca: hub.hub.tls.ca,
        ...(ws && { mqtt: { webSocketAgent: new PortAgent(hub.hub.api.httpsPort) } }),
      } as device.DeviceClientOptions);
      return client;
    }

    /** The CONNACK code a plain MQTT connection gets presenting this certificate. */
    function connackWith(deviceId: string, credentials: KeyAndCertificate): Promise<number> {
      const client = mqtt.connect(`mqtts://127.0.0.1:${hub.gateway.port}`, {
        clientId: deviceId,
        username: `${hub.hub.hostName}/${deviceId}/?api-version=2021-04-12`,
        cert: credentials.certPem,
        key: credentials.keyPem,
        ca: hub.hub.tls.ca,
        servername: 'localhost',
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      return connackCode(client).finally(() => client.end(true));
    }

    before(async () => {
      const caFile = join(dir.path, 'device-ca.pem');
      writeFileSync(caFile, deviceCa.certPem);
      hub = await startGatewayHub({ variant, deviceCaFile: caFile });
      registry = registryFor(hub.hub.connectionString(), { port: hub.hub.api.httpsPort, ca: hub.hub.tls.ca });
    });
    after(async () => {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await hub?.dispose();
      dir.remove();
    });

    it('registers selfSigned (SHA-1 and SHA-256 thumbprints) and certificateAuthority devices as IoT Hub returns them', async () => {
      const primary = certificateThumbprints(selfCert.certPem).sha1;
      const secondary = certificateThumbprints(spareCert.certPem).sha256;
      const { responseBody: created } = await registry.create({
        deviceId: 'x509-self',
        authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: primary, secondaryThumbprint: secondary } },
      } as iothub.Registry.DeviceDescription);
      assert.deepEqual(created.authentication, {
        type: 'selfSigned',
        symmetricKey: { primaryKey: null, secondaryKey: null },
        x509Thumbprint: { primaryThumbprint: primary, secondaryThumbprint: secondary },
      });
      await registry.create({ deviceId: 'x509-ca', authentication: { type: 'certificateAuthority' } } as iothub.Registry.DeviceDescription);
      const ca = await hubRequest(hub.hub, { method: 'GET', path: '/devices/x509-ca' });
      assert.equal(ca.body.authentication.type, 'certificateAuthority');
      assert.deepEqual(ca.body.authentication.symmetricKey, { primaryKey: null, secondaryKey: null });
      const twin = await hubRequest(hub.hub, { method: 'GET', path: '/twins/x509-self' });
      assert.equal(twin.body.authenticationType, 'selfSigned');
      assert.deepEqual(twin.body.x509Thumbprint, { primaryThumbprint: primary, secondaryThumbprint: secondary });
    });

    it('refuses a selfSigned device without a primary thumbprint, and a malformed thumbprint, creating nothing', async () => {
      for (const x509Thumbprint of [{}, { primaryThumbprint: 'not-hex' }]) {
        const res = await hubRequest(hub.hub, {
          method: 'PUT',
          path: '/devices/x509-bad',
          body: { deviceId: 'x509-bad', authentication: { type: 'selfSigned', x509Thumbprint } },
        });
        assert.equal(res.status, 400, res.text);
        assert.match(res.body.Message, /ArgumentInvalid.*primaryThumbprint/);
      }
      assert.equal((await hubRequest(hub.hub, { method: 'GET', path: '/devices/x509-bad' })).status, 404);
    });

    it('connects a selfSigned device with either registered certificate; its twin and methods work', async () => {
      const client = await x509Device('x509-self', selfCert);
      client.onDeviceMethod('ping', (_request, response) => void response.send(200, { pong: true }));
      await client.open();
      const twin = await client.getTwin();
      assert.equal(typeof twin.properties.desired.$version, 'number');
      const call = await hubRequest(hub.hub, { method: 'POST', path: '/twins/x509-self/methods', body: { methodName: 'ping', responseTimeoutInSeconds: 10 } });
      assert.deepEqual(call.body, { status: 200, payload: { pong: true } });
      await client.close();
      assert.equal(await connackWith('x509-self', spareCert), 0, 'the secondary thumbprint (SHA-256) admits its certificate');
    });

    it('refuses a wrong certificate with CONNACK 5, and the SDK reports it not authorized', async () => {
      assert.equal(await connackWith('x509-self', issueDeviceCertificate('x509-self')), 5, 'an unregistered self-signed certificate');
      assert.equal(await connackWith('x509-ca', issueDeviceCertificate('x509-ca', otherCa)), 5, 'a certificate of another CA');
      assert.equal(await connackWith('x509-ca', issueDeviceCertificate('x509-ca')), 5, 'a self-signed certificate for a CA device');
      assert.equal(await connackWith('x509-ca', issueDeviceCertificate('x509-other', deviceCa)), 5, "the CA's certificate for another device id");
      assert.equal(await connackWith('no-such-device', issueDeviceCertificate('no-such-device', deviceCa)), 5, 'an unknown device');
      const sas = await hub.addDevice('sas-dev');
      assert.equal(await connackWith('sas-dev', issueDeviceCertificate('sas-dev', deviceCa)), 5, 'a SAS device presenting a certificate');
      assert.ok(sas.key);

      const client = await x509Device('x509-self', issueDeviceCertificate('x509-self'));
      client.setRetryPolicy(new common.NoRetry());
      await assert.rejects(client.open(), /not authorized/i);
    });

    it('connects a certificateAuthority device whose certificate chains to the device CA and names it in its CN', async () => {
      const client = await x509Device('x509-ca', issueDeviceCertificate('x509-ca', deviceCa));
      await client.open();
      await eventually(async () => (await hub.hub.store.getDevice('x509-ca'))!.connectionState === 'Connected', 'x509-ca connected');
      await client.close();
    });

    it('serves MQTT over WebSockets on the REST port at /$iothub/websocket (MqttWs), for X.509 and SAS devices', async () => {
      const x509 = await x509Device('x509-ca', issueDeviceCertificate('x509-ca', deviceCa), mqttTransport.MqttWs);
      await x509.open();
      const twin = await x509.getTwin();
      assert.equal(typeof twin.properties.reported.$version, 'number');
      await x509.close();

      const sas = await hub.addDevice('ws-sas');
      const client = device.Client.fromConnectionString(
        `HostName=${hub.hub.hostName};DeviceId=ws-sas;SharedAccessKey=${sas.key};GatewayHostName=localhost`,
        mqttTransport.MqttWs,
      );
      clients.push(client);
      await client.setOptions({ ca: hub.hub.tls.ca, mqtt: { webSocketAgent: new PortAgent(hub.hub.api.httpsPort) } } as device.DeviceClientOptions);
      client.onDeviceMethod('ping', (_request, response) => void response.send(200, 'ws'));
      await client.open();
      const call = await hubRequest(hub.hub, { method: 'POST', path: '/twins/ws-sas/methods', body: { methodName: 'ping', responseTimeoutInSeconds: 10 } });
      assert.deepEqual(call.body, { status: 200, payload: 'ws' });
      // The REST API still answers on the same port.
      assert.equal((await hubRequest(hub.hub, { method: 'GET', path: '/devices/ws-sas' })).status, 200);
      await client.close();
    });

    it('drops a connected X.509 device whose thumbprint is replaced', async () => {
      const client = await x509Device('x509-self', selfCert);
      client.setRetryPolicy(new common.NoRetry());
      await client.open();
      const { responseBody: current } = await registry.get('x509-self');
      await registry.update({
        deviceId: 'x509-self',
        etag: current.etag,
        authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: certificateThumbprints(spareCert.certPem).sha1 } },
      } as iothub.Registry.DeviceDescription);
      await eventually(() => !hub.gateway.isConnected('x509-self'), 'the replaced certificate to be dropped');
      await client.close();
    });
  });
}
