// Defaults and limits that mirror the real server's.
export const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;
export const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;
export const DEFAULT_STICKY_SCHEDULE_TO_START_MS = 5_000;
export const SUGGEST_CONTINUE_AS_NEW_EVENTS = 4 * 1024;
export const SUGGEST_CONTINUE_AS_NEW_BYTES = 4 * 1024 * 1024;
export const DEFAULT_HISTORY_PAGE_SIZE = 1000;
/** Default: a query task no worker answers in this time fails the query (and frees its run's workflow tasks). */
export const QUERY_TASK_TIMEOUT_MS = 20_000;
/** Workflow task retries after failures back off up to this. */
export const MAX_WORKFLOW_TASK_RETRY_BACKOFF_MS = 10_000;
