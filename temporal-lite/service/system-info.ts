import type { WorkflowServiceResponse } from '../grpc/handlers.js';

/** The Temporal server release whose behaviour temporal-lite follows. */
const COMPATIBLE_SERVER_VERSION = '1.24.0';
export const SERVER_VERSION = `${COMPATIBLE_SERVER_VERSION}-temporal-lite`;

/** GetSystemInfo: what Core reads once per connection. sdkMetadata makes Core record its flags. */
export function systemInfo(): WorkflowServiceResponse<'GetSystemInfo'> {
  return {
    serverVersion: SERVER_VERSION,
    capabilities: {
      signalAndQueryHeader: true,
      internalErrorDifferentiation: true,
      activityFailureIncludeHeartbeat: true,
      supportsSchedules: false,
      encodedFailureAttributes: true,
      // Workers then send their build in a version stamp, recorded on WorkflowTaskCompleted.
      buildIdBasedVersioning: true,
      upsertMemo: true,
      eagerWorkflowStart: true,
      sdkMetadata: true,
      countGroupByExecutionStatus: true,
      nexus: false,
    },
  };
}

/**
 * GetClusterInfo: what the Web UI reads on every page. Its server version is plain semver, which
 * the UI compares to decide on features; the stores say what temporal-lite keeps its data in.
 */
export function clusterInfo(): WorkflowServiceResponse<'GetClusterInfo'> {
  return {
    supportedClients: {},
    serverVersion: COMPATIBLE_SERVER_VERSION,
    clusterId: 'temporal-lite',
    clusterName: 'temporal-lite',
    historyShardCount: 1,
    persistenceStore: 'sqlite',
    visibilityStore: 'sqlite',
    versionInfo: { current: { version: COMPATIBLE_SERVER_VERSION }, recommended: { version: COMPATIBLE_SERVER_VERSION } },
  };
}
