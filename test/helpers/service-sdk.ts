import https from 'node:https';
import iothub from 'azure-iothub';

/**
 * The official service SDK pointed at a local hub. The SDK always dials port 443 (a port in HostName
 * fails); its REST client takes an agent whose port and CA override that (azure-iothub's RestApiClient).
 * The SAS `sr` stays the plain host name.
 */
interface HasRestClient {
  _restApiClient: { setOptions(options: { http: { agent: https.Agent } }): void };
}

export interface HubAddress {
  /** The hub's HTTPS port. */
  port: number;
  /** PEM of the CA that signed the hub's certificate. */
  ca: string;
}

export function pointAtHub<T>(sdkObject: T, hub: HubAddress): T {
  (sdkObject as unknown as HasRestClient)._restApiClient.setOptions({
    http: { agent: new https.Agent({ keepAlive: true, port: hub.port, ca: hub.ca }) },
  });
  return sdkObject;
}

export const registryFor = (connectionString: string, hub: HubAddress): iothub.Registry =>
  pointAtHub(iothub.Registry.fromConnectionString(connectionString), hub);

export const jobClientFor = (connectionString: string, hub: HubAddress): iothub.JobClient =>
  pointAtHub(iothub.JobClient.fromConnectionString(connectionString), hub);

export const serviceClientFor = (connectionString: string, hub: HubAddress): iothub.Client =>
  pointAtHub(iothub.Client.fromConnectionString(connectionString), hub);
