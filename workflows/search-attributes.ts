/**
 * The custom search attributes of job workflows: registered at start-up (src/temporal/
 * search-attributes.ts), set by the API at start and upserted by the workflow on status changes,
 * so GET /jobs/v2/query lists jobs through Temporal visibility.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const JOB_TYPE_ATTRIBUTE = defineSearchAttributeKey('JobType', SearchAttributeType.KEYWORD);
export const JOB_STATUS_ATTRIBUTE = defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD);
export const JOB_CREATED_TIME_ATTRIBUTE = defineSearchAttributeKey('JobCreatedTime', SearchAttributeType.DATETIME);
/** The job's queryCondition, for searching jobs by the devices they target (Text: matched by words). */
export const JOB_QUERY_CONDITION_ATTRIBUTE = defineSearchAttributeKey('QueryCondition', SearchAttributeType.TEXT);

export const JOB_SEARCH_ATTRIBUTES = [JOB_TYPE_ATTRIBUTE, JOB_STATUS_ATTRIBUTE, JOB_CREATED_TIME_ATTRIBUTE, JOB_QUERY_CONDITION_ATTRIBUTE] as const;

/**
 * Temporal refuses a search attribute value over 2 KB by default (its `limit.searchAttributesSizeOfValueLimit`
 * dynamic config); a longer queryCondition is indexed by its beginning (the memo keeps it whole).
 */
export const MAX_QUERY_CONDITION_ATTRIBUTE_LENGTH = 1024;
