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

interface HasApiCall {
  _restApiClient: {
    executeApiCall(
      method: string,
      path: string,
      headers: Record<string, string>,
      body: unknown,
      done: (err: Error | null | undefined, result?: unknown) => void,
    ): void;
  };
}

/**
 * PUT /jobs/v2/{jobId} with the SDK's own REST client (as its scheduleDeviceMethod sends it), for
 * bodies its schedule methods cannot send: the rollout settings.
 */
export function putJobWithSdk(jobs: iothub.JobClient, body: { jobId: string } & Record<string, unknown>): Promise<unknown> {
  const path = `/jobs/v2/${encodeURIComponent(body.jobId)}?api-version=2021-04-12`;
  return new Promise((resolve, reject) =>
    (jobs as unknown as HasApiCall)._restApiClient.executeApiCall('PUT', path, { 'Content-Type': 'application/json; charset=utf-8' }, body, (err, result) =>
      err ? reject(err) : resolve(result),
    ),
  );
}
