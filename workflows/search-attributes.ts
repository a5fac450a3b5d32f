/**
 * The custom search attributes of job workflows: registered at start-up (src/temporal/
 * search-attributes.ts), set by the API at start and upserted by the workflow on status changes,
 * so GET /jobs/v2/query lists jobs through Temporal visibility.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const JOB_TYPE_ATTRIBUTE = defineSearchAttributeKey('JobType', SearchAttributeType.KEYWORD);
export const JOB_STATUS_ATTRIBUTE = defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD);
export const JOB_CREATED_TIME_ATTRIBUTE = defineSearchAttributeKey('JobCreatedTime', SearchAttributeType.DATETIME);

export const JOB_SEARCH_ATTRIBUTES = [JOB_TYPE_ATTRIBUTE, JOB_STATUS_ATTRIBUTE, JOB_CREATED_TIME_ATTRIBUTE] as const;
