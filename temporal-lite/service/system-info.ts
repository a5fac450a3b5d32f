import type { WorkflowServiceResponse } from '../grpc/handlers.js';

export const SERVER_VERSION = '1.24.0-temporal-lite';

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
      buildIdBasedVersioning: false,
      upsertMemo: true,
      eagerWorkflowStart: true,
      sdkMetadata: true,
      countGroupByExecutionStatus: true,
      nexus: false,
    },
  };
}
