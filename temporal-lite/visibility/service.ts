// The visibility service: what the engine calls (record upserts, search attribute validation)
// and the RPC handlers, as plain functions over protobufjs-style plain objects.
import type Database from 'better-sqlite3';
import { PREDEFINED_ATTRIBUTES, SYSTEM_ATTRIBUTES, type AttributeDef } from './attributes.js';
import { invalidArgument } from './errors.js';
import { statusShortName } from './execution-status.js';
import { closedExecutionsQuery, openExecutionsQuery, type LegacyListRequest } from './legacy-filters.js';
import { encodeSearchAttributeValue } from './payload-values.js';
import { VisibilityQueries, type ListResult } from './queries.js';
import type { VisibilityRecord } from './record.js';
import { SearchAttributeRegistry } from './registry.js';
import { migrateVisibility } from './schema.js';
import { validateSearchAttributes, withTypeMetadata, type IndexedFields } from './search-attributes.js';
import { parseSearchAttributeFlag } from './search-attribute-flag.js';
import { VisibilityStore } from './store.js';
import { valueTypeEnumName, type IndexedValueType, type ValueType } from './value-types.js';

export interface VisibilityServiceOptions {
  /** Current time in epoch ms (the server's clock, virtual under time skipping). */
  clock?: () => number;
  /** Largest page a list returns (Temporal's default: 1000). */
  maxPageSize?: number;
}

type Bytes = Uint8Array | string | null | undefined;
type SearchAttributesMessage = { indexedFields?: IndexedFields | null } | null | undefined;

export interface ListRequest {
  namespace?: string;
  pageSize?: number | null;
  nextPageToken?: Bytes;
  query?: string | null;
}

export interface LegacyListPageRequest extends LegacyListRequest {
  namespace?: string;
  maximumPageSize?: number | null;
  nextPageToken?: Bytes;
}

// Elasticsearch field types, which is what storage schemas name on a real server.
const STORAGE_TYPES: Record<ValueType, string> = {
  Text: 'text',
  Keyword: 'keyword',
  Int: 'long',
  Double: 'scaled_float',
  Bool: 'boolean',
  Datetime: 'date_nanos',
  KeywordList: 'keyword',
};

function typeMap(attributes: readonly AttributeDef[]): Record<string, IndexedValueType> {
  return Object.fromEntries(attributes.map((attribute) => [attribute.name, valueTypeEnumName(attribute.type)]));
}

function requireNamespace(namespace: string | null | undefined): string {
  if (!namespace) throw invalidArgument('Namespace is not set on request.');
  return namespace;
}

export class VisibilityService {
  readonly registry: SearchAttributeRegistry;
  readonly store: VisibilityStore;
  readonly queries: VisibilityQueries;
  private readonly clock: () => number;
  private readonly maxPageSize: number;

  constructor(db: Database.Database, options: VisibilityServiceOptions = {}) {
    migrateVisibility(db);
    this.registry = new SearchAttributeRegistry(db);
    this.store = new VisibilityStore(db, this.registry);
    this.queries = new VisibilityQueries(db, this.registry);
    this.clock = options.clock ?? Date.now;
    this.maxPageSize = options.maxPageSize ?? 1000;
  }

  // ---- engine side ----

  upsert(record: VisibilityRecord): void {
    this.store.upsert(record);
  }

  delete(namespace: string, workflowId: string, runId: string): boolean {
    return this.store.delete(namespace, workflowId, runId);
  }

  deleteNamespaceData(namespace: string): void {
    this.store.deleteNamespaceData(namespace);
  }

  /** Retention: removes up to `limit` runs closed more than `retentionMs` ago; returns how many. */
  purgeExpired(namespace: string, retentionMs: number, limit?: number): number {
    return this.store.purgeClosedBefore(namespace, this.clock() - retentionMs, limit);
  }

  /** Throws an INVALID_ARGUMENT VisibilityError if a start/upsert carries bad search attributes. */
  validateSearchAttributes(namespace: string, searchAttributes: SearchAttributesMessage): void {
    validateSearchAttributes(this.registry.lookup(namespace), searchAttributes?.indexedFields);
  }

  /** The attributes with metadata 'type' filled in from the registry (for DescribeWorkflowExecution). */
  typedSearchAttributes(namespace: string, searchAttributes: SearchAttributesMessage): { indexedFields: IndexedFields } {
    return { indexedFields: withTypeMetadata(this.registry.lookup(namespace), searchAttributes?.indexedFields) };
  }

  /** Pre-registers attributes given as `--search-attribute NAME=TYPE` values. */
  registerSearchAttributes(namespace: string, specs: readonly string[]): void {
    const attributes = Object.fromEntries(
      specs.map((spec) => {
        const { name, type } = parseSearchAttributeFlag(spec);
        return [name, type];
      }),
    );
    if (specs.length > 0) this.registry.add(namespace, attributes);
  }

  // ---- WorkflowService ----

  private pageSize(requested: number | null | undefined): number {
    return !requested || requested <= 0 || requested > this.maxPageSize ? this.maxPageSize : requested;
  }

  private listResponse(result: ListResult) {
    return { executions: result.executions, nextPageToken: result.nextPageToken };
  }

  listWorkflowExecutions(req: ListRequest) {
    const namespace = requireNamespace(req.namespace);
    return this.listResponse(this.queries.list(namespace, req.query, this.pageSize(req.pageSize), req.nextPageToken));
  }

  scanWorkflowExecutions(req: ListRequest) {
    return this.listWorkflowExecutions(req);
  }

  listOpenWorkflowExecutions(req: LegacyListPageRequest) {
    const namespace = requireNamespace(req.namespace);
    const size = this.pageSize(req.maximumPageSize);
    return this.listResponse(this.queries.list(namespace, openExecutionsQuery(req), size, req.nextPageToken));
  }

  listClosedWorkflowExecutions(req: LegacyListPageRequest) {
    const namespace = requireNamespace(req.namespace);
    const size = this.pageSize(req.maximumPageSize);
    return this.listResponse(this.queries.list(namespace, closedExecutionsQuery(req), size, req.nextPageToken));
  }

  /** Count; with GROUP BY ExecutionStatus, groups carry the status name as a Keyword payload. */
  countWorkflowExecutions(req: { namespace?: string; query?: string | null }) {
    const result = this.queries.count(requireNamespace(req.namespace), req.query);
    if (!result.groups) return { count: result.count };
    return {
      count: result.count,
      groups: result.groups.map((group) => ({
        groupValues: [encodeSearchAttributeValue({ type: 'Keyword', value: statusShortName(group.status) })],
        count: group.count,
      })),
    };
  }

  /**
   * All attribute names usable in filters. The request names no namespace; the core may pass
   * one, otherwise custom attributes of every namespace are included.
   */
  getSearchAttributes(req: { namespace?: string } = {}) {
    const custom = req.namespace ? this.registry.custom(req.namespace) : this.registry.customOfAllNamespaces();
    return { keys: typeMap([...SYSTEM_ATTRIBUTES, ...PREDEFINED_ATTRIBUTES, ...custom]) };
  }

  // ---- OperatorService ----

  addSearchAttributes(req: { namespace?: string; searchAttributes?: Record<string, unknown> | null }) {
    this.registry.add(requireNamespace(req.namespace), req.searchAttributes ?? {});
    return {};
  }

  removeSearchAttributes(req: { namespace?: string; searchAttributes?: string[] | null }) {
    this.registry.remove(requireNamespace(req.namespace), req.searchAttributes ?? []);
    return {};
  }

  listSearchAttributes(req: { namespace?: string }) {
    const custom = this.registry.custom(requireNamespace(req.namespace));
    return {
      customAttributes: typeMap(custom),
      systemAttributes: typeMap([...SYSTEM_ATTRIBUTES, ...PREDEFINED_ATTRIBUTES]),
      storageSchema: Object.fromEntries(custom.map((attribute) => [attribute.name, STORAGE_TYPES[attribute.type]])),
    };
  }
}

export function createVisibilityService(db: Database.Database, options?: VisibilityServiceOptions): VisibilityService {
  return new VisibilityService(db, options);
}
