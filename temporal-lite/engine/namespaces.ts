// Namespaces: `default` always exists; others are registered by RPC or at start-up.
import { randomUUID } from 'node:crypto';
import { alreadyExists, invalidArgument, notFound } from '../grpc/errors.js';
import { packAny } from '../grpc/proto.js';
import type { WorkflowServiceResponse } from '../grpc/handlers.js';
import type { CommitParticipant, Committer } from '../persistence/committer.js';
import { jsonCodec } from '../persistence/json-codec.js';
import type { Store } from '../persistence/store.js';

export const DEFAULT_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface NamespaceRecord {
  name: string;
  id: string;
  description: string;
  ownerEmail: string;
  data: Record<string, string>;
  retentionMs: number;
}

const namespaceRecord = jsonCodec<NamespaceRecord>();

/** NOT_FOUND with the NamespaceNotFoundFailure detail, from which clients raise NamespaceNotFoundError. */
function namespaceNotFound(name: string) {
  return notFound(`Namespace ${name || '(empty)'} is not found.`, [packAny('temporal.api.errordetails.v1.NamespaceNotFoundFailure', { namespace: name })]);
}

export class NamespaceRegistry implements CommitParticipant {
  private readonly byName = new Map<string, NamespaceRecord>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly committer: Committer,
  ) {
    for (const data of store.namespaces()) {
      const record = namespaceRecord.decode(data);
      this.byName.set(record.name, record);
    }
  }

  /** Makes sure a namespace exists (start-up namespaces and `default`). */
  ensure(name: string): void {
    if (!this.byName.has(name)) this.register({ name });
  }

  register(req: { name?: string; description?: string; ownerEmail?: string; data?: Record<string, string>; retentionMs?: number }): NamespaceRecord {
    if (!req.name) throw invalidArgument('Namespace name is required.');
    if (this.byName.has(req.name)) throw alreadyExists(`Namespace ${req.name} already exists.`);
    const rec: NamespaceRecord = {
      name: req.name,
      id: randomUUID(),
      description: req.description ?? '',
      ownerEmail: req.ownerEmail ?? '',
      data: req.data ?? {},
      retentionMs: req.retentionMs && req.retentionMs > 0 ? req.retentionMs : DEFAULT_RETENTION_MS,
    };
    this.save(rec);
    return rec;
  }

  update(name: string, change: Partial<Omit<NamespaceRecord, 'name' | 'id'>>): NamespaceRecord {
    const rec = this.get(name);
    const next = { ...rec, ...Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) };
    this.save(next);
    return next;
  }

  /** The namespace by name; NOT_FOUND otherwise. */
  get(name: string): NamespaceRecord {
    const rec = this.byName.get(name);
    if (!rec) throw namespaceNotFound(name);
    return rec;
  }

  byId(id: string): NamespaceRecord {
    for (const rec of this.byName.values()) if (rec.id === id) return rec;
    throw notFound(`Namespace with id ${id} is not found.`);
  }

  list(): NamespaceRecord[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  describe(rec: NamespaceRecord): WorkflowServiceResponse<'DescribeNamespace'> {
    return {
      namespaceInfo: {
        name: rec.name,
        id: rec.id,
        state: 'NAMESPACE_STATE_REGISTERED',
        description: rec.description,
        ownerEmail: rec.ownerEmail,
        data: rec.data,
        capabilities: { eagerWorkflowStart: false, syncUpdate: true, asyncUpdate: true },
        supportsSchedules: true,
      },
      config: {
        workflowExecutionRetentionTtl: { seconds: Math.floor(rec.retentionMs / 1000), nanos: (rec.retentionMs % 1000) * 1e6 },
        historyArchivalState: 'ARCHIVAL_STATE_DISABLED',
        visibilityArchivalState: 'ARCHIVAL_STATE_DISABLED',
      },
      replicationConfig: { activeClusterName: 'active', clusters: [{ clusterName: 'active' }], state: 'REPLICATION_STATE_NORMAL' },
      isGlobalNamespace: false,
    };
  }

  write(): void {
    for (const name of this.dirty) {
      const rec = this.byName.get(name);
      if (rec) this.store.putNamespace(name, namespaceRecord.encode(rec));
    }
    this.dirty.clear();
  }

  private save(rec: NamespaceRecord): void {
    this.byName.set(rec.name, rec);
    this.dirty.add(rec.name);
    this.committer.enlist(this);
  }
}
