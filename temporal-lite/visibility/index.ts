/**
 * Visibility for temporal-lite: search attributes, the visibility store and Temporal's
 * list-filter language, over the engine's better-sqlite3 database.
 *
 * API (everything the core needs):
 *
 *   const vis = createVisibilityService(db, { clock?: () => epochMs, maxPageSize?: 1000 });
 *     Creates/migrates the vis_* tables (own version table `visibility_schema`). All writes are
 *     synchronous statements (nested transactions become savepoints): they join the engine's
 *     transaction.
 *
 *   Engine side
 *     vis.upsert(record: VisibilityRecord): void     on start, status change, SA/memo upsert, close
 *     vis.delete(namespace, workflowId, runId): boolean
 *     vis.purgeExpired(namespace, retentionMs, limit = 1000): number   closed before clock()-retention
 *     vis.deleteNamespaceData(namespace): void
 *     vis.validateSearchAttributes(namespace, { indexedFields }): void
 *         throws VisibilityError INVALID_ARGUMENT ("search attribute X is not defined",
 *         "invalid value for search attribute X of type Int: …"): reject the start, or fail the
 *         workflow task of an upsert (cause BAD_SEARCH_ATTRIBUTES).
 *     applySearchAttributeUpsert(currentIndexedFields, upsertIndexedFields): IndexedFields
 *         merge for UpsertWorkflowSearchAttributes (null / [] / empty data removes a key).
 *     vis.typedSearchAttributes(namespace, { indexedFields }) → { indexedFields }  adds metadata
 *         'type' to untyped payloads (use for DescribeWorkflowExecution).
 *     vis.registerSearchAttributes(namespace, ['Name=Keyword', …])   for --search-attribute flags
 *
 *   RPC handlers (request = protobufjs toObject {longs: Number, enums: String}; response = plain
 *   object for fromObject). The core checks the namespace exists first.
 *     vis.listWorkflowExecutions(req) / scanWorkflowExecutions(req)
 *     vis.listOpenWorkflowExecutions(req) / listClosedWorkflowExecutions(req)
 *     vis.countWorkflowExecutions(req)        supports 'GROUP BY ExecutionStatus'
 *     vis.getSearchAttributes(req)            req.namespace optional (the proto has none)
 *     vis.addSearchAttributes(req) / removeSearchAttributes(req) / listSearchAttributes(req)
 *
 *   Errors: client mistakes throw VisibilityError { grpcCode: 'INVALID_ARGUMENT' | 'NOT_FOUND' |
 *   'ALREADY_EXISTS', message }; map grpcCode to the gRPC status. Anything else is a bug.
 */
export { createVisibilityService, VisibilityService, type VisibilityServiceOptions } from './service.js';
export { VisibilityError, type VisibilityErrorCode } from './errors.js';
export type { VisibilityRecord, ExecutionRef } from './record.js';
export type { ExecutionStatusName } from './execution-status.js';
export { applySearchAttributeUpsert, type IndexedFields } from './search-attributes.js';
export type { Payload } from './payload-values.js';
export { parseSearchAttributeFlag } from './search-attribute-flag.js';
