// The search attributes every namespace has. "System" ones are columns of the executions table
// and cannot be set by workflows; "predefined" ones live with custom attributes in the values
// table. Names, types and the settable whitelist follow Temporal's server (sadefs/constants.go).
import type { ValueType } from './value-types.js';

/** How a system attribute's column is stored and compared. */
export type ColumnKind =
  | 'keyword' // TEXT
  | 'status' // INTEGER, WorkflowExecutionStatus number
  | 'int' // INTEGER
  | 'timeMs' // INTEGER epoch milliseconds; queried with nanosecond datetimes
  | 'durationMs'; // INTEGER milliseconds; queried in nanoseconds (ExecutionDuration)

export interface ColumnAttribute {
  readonly storage: 'column';
  readonly name: string;
  readonly type: ValueType;
  readonly column: string;
  readonly kind: ColumnKind;
}

export interface StoredAttribute {
  readonly storage: 'values';
  readonly name: string;
  readonly type: ValueType;
  /** Key of its values in the values table: negative for predefined, registry id for custom. */
  readonly attrId: number;
  readonly custom: boolean;
  /** Whether workflows may set it (custom ones, and Temporal's whitelist of predefined ones). */
  readonly settable: boolean;
}

export type AttributeDef = ColumnAttribute | StoredAttribute;

const column = (name: string, type: ValueType, col: string, kind: ColumnKind): ColumnAttribute => ({
  storage: 'column',
  name,
  type,
  column: col,
  kind,
});

export const SYSTEM_ATTRIBUTES: readonly ColumnAttribute[] = [
  column('WorkflowId', 'Keyword', 'workflow_id', 'keyword'),
  column('RunId', 'Keyword', 'run_id', 'keyword'),
  column('WorkflowType', 'Keyword', 'workflow_type', 'keyword'),
  column('StartTime', 'Datetime', 'start_time', 'timeMs'),
  column('ExecutionTime', 'Datetime', 'execution_time', 'timeMs'),
  column('CloseTime', 'Datetime', 'close_time', 'timeMs'),
  column('ExecutionStatus', 'Keyword', 'status', 'status'),
  column('TaskQueue', 'Keyword', 'task_queue', 'keyword'),
  column('HistoryLength', 'Int', 'history_length', 'int'),
  column('ExecutionDuration', 'Int', 'execution_duration', 'durationMs'),
  column('StateTransitionCount', 'Int', 'state_transition_count', 'int'),
  column('HistorySizeBytes', 'Int', 'history_size_bytes', 'int'),
  column('ParentWorkflowId', 'Keyword', 'parent_workflow_id', 'keyword'),
  column('ParentRunId', 'Keyword', 'parent_run_id', 'keyword'),
  column('RootWorkflowId', 'Keyword', 'root_workflow_id', 'keyword'),
  column('RootRunId', 'Keyword', 'root_run_id', 'keyword'),
];

// The attrIds are persisted in the values table: append only, never renumber.
const predefined = (attrId: number, name: string, type: ValueType, settable: boolean): StoredAttribute => ({
  storage: 'values',
  name,
  type,
  attrId,
  custom: false,
  settable,
});

export const PREDEFINED_ATTRIBUTES: readonly StoredAttribute[] = [
  predefined(-1, 'TemporalChangeVersion', 'KeywordList', true),
  predefined(-2, 'BinaryChecksums', 'KeywordList', true),
  predefined(-3, 'BuildIds', 'KeywordList', true),
  predefined(-4, 'BatcherNamespace', 'Keyword', true),
  predefined(-5, 'BatcherUser', 'Keyword', true),
  predefined(-6, 'TemporalScheduledStartTime', 'Datetime', true),
  predefined(-7, 'TemporalScheduledById', 'Keyword', true),
  predefined(-8, 'TemporalSchedulePaused', 'Bool', true),
  predefined(-9, 'TemporalNamespaceDivision', 'Keyword', true),
  predefined(-10, 'TemporalPauseInfo', 'KeywordList', true),
  predefined(-11, 'TemporalReportedProblems', 'KeywordList', true),
  predefined(-12, 'TemporalWorkerDeploymentVersion', 'Keyword', false),
  predefined(-13, 'TemporalWorkflowVersioningBehavior', 'Keyword', false),
  predefined(-14, 'TemporalWorkerDeployment', 'Keyword', false),
  predefined(-15, 'TemporalUsedWorkerDeploymentVersions', 'KeywordList', false),
  predefined(-16, 'TemporalExternalPayloadCount', 'Int', false),
  predefined(-17, 'TemporalExternalPayloadSizeBytes', 'Int', false),
];

const BUILT_IN = new Map<string, AttributeDef>([...SYSTEM_ATTRIBUTES, ...PREDEFINED_ATTRIBUTES].map((attribute) => [attribute.name, attribute]));

export function builtInAttribute(name: string): AttributeDef | undefined {
  return BUILT_IN.get(name);
}

// Field names of Temporal's visibility records that can never be search attribute names.
const RESERVED_FIELDS = new Set(['NamespaceId', 'Memo', 'MemoEncoding', 'VisibilityTaskKey']);
const RESERVED_PREFIX = 'Temporal';

/** Names a custom attribute may not take: built-in, reserved fields, or the 'Temporal' prefix. */
export function isReservedName(name: string): boolean {
  return BUILT_IN.has(name) || RESERVED_FIELDS.has(name) || name.startsWith(RESERVED_PREFIX);
}

/**
 * Temporal resolves a query name it does not know by adding or removing the 'Temporal' prefix
 * ('ChangeVersion' finds TemporalChangeVersion); this gives that alternative spelling.
 */
export function prefixToggled(name: string): string {
  return name.startsWith(RESERVED_PREFIX) ? name.slice(RESERVED_PREFIX.length) : RESERVED_PREFIX + name;
}
