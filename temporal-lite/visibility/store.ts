// The write side of visibility: one row per run plus the index rows of its search attributes.
// Statements are synchronous and join the engine's transaction (upserts as part of it, the
// rest as savepoints).
import type Database from 'better-sqlite3';
import type { Payload } from '../grpc/api.js';
import { jsonCodec } from '../persistence/json-codec.js';
import { statusNumber } from './execution-status.js';
import type { VisibilityRecord } from './record.js';
import type { AttributeLookup, SearchAttributeRegistry } from './registry.js';
import { decodeForIndex } from './search-attributes.js';
import { indexEntries, toStoredJson, type SaValues } from './stored-values.js';
import { textTokens } from './text-tokens.js';

const memoFieldsCodec = jsonCodec<Record<string, Payload>>();

/** close_order of running workflows: after every real close time. */
const OPEN_CLOSE_ORDER = Number.MAX_SAFE_INTEGER;

/** Columns a later upsert of the same run may change (identity, type, queue, times and lineage are fixed at start). */
const MUTABLE_COLUMNS = new Set([
  'status',
  'close_time',
  'close_order',
  'execution_duration',
  'history_length',
  'history_size_bytes',
  'state_transition_count',
  'memo',
  'search_attributes',
]);

interface ExistingRow {
  row_id: number;
  search_attributes: string | null;
}

export class VisibilityStore {
  private readonly selectExisting: Database.Statement<[string, string], ExistingRow>;
  private readonly insertRow: Database.Statement<[Record<string, unknown>]>;
  private readonly updateRow: Database.Statement<[Record<string, unknown>]>;
  private readonly insertValue: Database.Statement<[number, number, unknown]>;
  private readonly insertToken: Database.Statement<[number, number, string]>;
  private readonly deleteValues: Database.Statement<[number]>;
  private readonly deleteTokens: Database.Statement<[number]>;
  private readonly deleteRow: Database.Statement<[number]>;
  private readonly selectByRun: Database.Statement<[string, string, string], { row_id: number }>;
  private readonly selectClosedBefore: Database.Statement<[string, number, number], { row_id: number }>;
  private readonly selectNamespaceRows: Database.Statement<[string, number], { row_id: number }>;

  constructor(
    private readonly db: Database.Database,
    private readonly registry: SearchAttributeRegistry,
  ) {
    const columns = [
      'namespace',
      'workflow_id',
      'run_id',
      'workflow_type',
      'task_queue',
      'status',
      'start_time',
      'execution_time',
      'close_time',
      'close_order',
      'execution_duration',
      'history_length',
      'history_size_bytes',
      'state_transition_count',
      'parent_workflow_id',
      'parent_run_id',
      'root_workflow_id',
      'root_run_id',
      'memo',
      'search_attributes',
    ];
    this.selectExisting = db.prepare('SELECT row_id, search_attributes FROM vis_executions WHERE namespace = ? AND run_id = ?');
    this.insertRow = db.prepare(`INSERT INTO vis_executions (${columns.join(', ')}) VALUES (${columns.map((column) => '@' + column).join(', ')})`);
    // Only what can change after a run starts: SQLite then leaves the indexes on the other columns alone.
    const changing = columns.filter((column) => MUTABLE_COLUMNS.has(column));
    this.updateRow = db.prepare(`UPDATE vis_executions SET ${changing.map((column) => `${column} = @${column}`).join(', ')} WHERE row_id = @row_id`);
    this.insertValue = db.prepare('INSERT OR IGNORE INTO vis_values (row_id, attr_id, v) VALUES (?, ?, ?)');
    this.insertToken = db.prepare('INSERT OR IGNORE INTO vis_text_tokens (row_id, attr_id, token) VALUES (?, ?, ?)');
    this.deleteValues = db.prepare('DELETE FROM vis_values WHERE row_id = ?');
    this.deleteTokens = db.prepare('DELETE FROM vis_text_tokens WHERE row_id = ?');
    this.deleteRow = db.prepare('DELETE FROM vis_executions WHERE row_id = ?');
    this.selectByRun = db.prepare('SELECT row_id FROM vis_executions WHERE namespace = ? AND workflow_id = ? AND run_id = ?');
    this.selectClosedBefore = db.prepare('SELECT row_id FROM vis_executions WHERE namespace = ? AND close_order < ? ORDER BY close_order LIMIT ?');
    this.selectNamespaceRows = db.prepare('SELECT row_id FROM vis_executions WHERE namespace = ? LIMIT ?');
  }

  /** Inserts or replaces the run's visibility row (keyed by namespace + run id). */
  upsert(record: VisibilityRecord): void {
    const status = statusNumber(record.status);
    if (status === undefined || status === 0) throw new Error(`unknown workflow status '${record.status}'`);
    const fields = record.searchAttributes?.indexedFields;
    const hasFields = fields != null && Object.keys(fields).length > 0;
    const lookup = hasFields ? this.registry.lookup(record.namespace) : undefined;
    const values = lookup ? decodeForIndex(lookup, fields) : new Map();
    const row = this.rowParams(record, status, toStoredJson(values));
    this.atomically(() => {
      const existing = this.selectExisting.get(record.namespace, record.runId);
      let rowId: number;
      if (existing) {
        rowId = existing.row_id;
        this.updateRow.run({ ...pick(row, MUTABLE_COLUMNS), row_id: rowId });
        if (existing.search_attributes === row.search_attributes) return;
        this.deleteValues.run(rowId);
        this.deleteTokens.run(rowId);
      } else {
        rowId = Number(this.insertRow.run(row).lastInsertRowid);
      }
      if (lookup) this.writeIndex(rowId, values, lookup);
    });
  }

  /**
   * Runs `fn` in the transaction already open (the engine's group commit, which fails whole if
   * `fn` throws), else in one of its own. Not as a savepoint: SQLite would copy every page the
   * upsert changes to the savepoint's journal (sqlite.org/lang_savepoint.html), on every start and close.
   */
  private atomically(fn: () => void): void {
    if (this.db.inTransaction) fn();
    else this.db.transaction(fn)();
  }

  private rowParams(record: VisibilityRecord, status: number, searchAttributes: string | null): Record<string, unknown> {
    const int = (value: number | undefined) => (value === undefined ? null : Math.trunc(value));
    const closeTime = int(record.closeTime);
    const root = record.rootExecution ?? { workflowId: record.workflowId, runId: record.runId };
    const memoFields = record.memo?.fields;
    return {
      namespace: record.namespace,
      workflow_id: record.workflowId,
      run_id: record.runId,
      workflow_type: record.workflowType,
      task_queue: record.taskQueue,
      status,
      start_time: int(record.startTime),
      execution_time: int(record.executionTime),
      close_time: closeTime,
      close_order: closeTime ?? OPEN_CLOSE_ORDER,
      // Temporal: close time minus execution time (the first workflow task may be delayed).
      execution_duration: closeTime === null ? null : Math.max(0, closeTime - Math.trunc(record.executionTime)),
      history_length: int(record.historyLength),
      history_size_bytes: int(record.historySizeBytes),
      state_transition_count: int(record.stateTransitionCount),
      parent_workflow_id: record.parentExecution?.workflowId ?? null,
      parent_run_id: record.parentExecution?.runId ?? null,
      root_workflow_id: root.workflowId,
      root_run_id: root.runId,
      memo: memoFields && Object.keys(memoFields).length > 0 ? memoFieldsCodec.encode(memoFields) : null,
      search_attributes: searchAttributes,
    };
  }

  /** Index rows of the values (decodeForIndex keeps only attributes stored as values). */
  private writeIndex(rowId: number, values: SaValues, lookup: AttributeLookup): void {
    for (const [name, value] of values) {
      const attribute = lookup(name);
      if (attribute?.storage !== 'values') continue;
      const attrId = attribute.attrId;
      for (const entry of indexEntries(value)) this.insertValue.run(rowId, attrId, entry);
      if (value.type === 'Text') {
        for (const token of textTokens(value.value)) this.insertToken.run(rowId, attrId, token);
      }
    }
  }

  private deleteRows(rowIds: number[]): void {
    for (const rowId of rowIds) {
      this.deleteValues.run(rowId);
      this.deleteTokens.run(rowId);
      this.deleteRow.run(rowId);
    }
  }

  /** Removes a run's row (DeleteWorkflowExecution). Returns whether there was one. */
  delete(namespace: string, workflowId: string, runId: string): boolean {
    const row = this.selectByRun.get(namespace, workflowId, runId);
    if (row) this.db.transaction(() => this.deleteRows([row.row_id]))();
    return row !== undefined;
  }

  /**
   * Retention: removes up to `limit` runs of the namespace closed before `closedBeforeMs`,
   * oldest first. Returns how many were removed; call again while it returns `limit`.
   */
  purgeClosedBefore(namespace: string, closedBeforeMs: number, limit = 1000): number {
    const rows = this.selectClosedBefore.all(namespace, Math.trunc(closedBeforeMs), limit);
    this.db.transaction(() => this.deleteRows(rows.map((row) => row.row_id)))();
    return rows.length;
  }

  /** Removes every run and custom search attribute of a namespace. */
  deleteNamespaceData(namespace: string): void {
    this.db.transaction(() => {
      for (;;) {
        const rows = this.selectNamespaceRows.all(namespace, 1000);
        this.deleteRows(rows.map((row) => row.row_id));
        if (rows.length < 1000) break;
      }
      this.registry.deleteNamespace(namespace);
    })();
  }
}

/** Memo fields as stored by upsert (Buffers restored). */
export function storedMemo(text: string | null): Record<string, Payload> | undefined {
  return text ? memoFieldsCodec.decode(text) : undefined;
}

function pick(row: Record<string, unknown>, keys: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = row[key];
  return out;
}
