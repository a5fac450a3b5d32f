import { status } from '@grpc/grpc-js';
import {
  QueryNotRegisteredError,
  QueryRejectedError,
  WorkflowClient,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { HubError } from '../errors/hub-error.js';
import type { Logger } from '../logger.js';
import type { HubMetrics } from '../observe/metrics.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../query/index.js';
import type { JobRecordStore } from '../registry/job-records.js';
import {
  cancelJobUpdate,
  editJobUpdate,
  JOB_EDIT_INVALID,
  JOB_STATE_CONFLICT,
  jobResponseQuery,
  NOTHING_TO_CANCEL,
  pauseJobUpdate,
  resumeJobUpdate,
} from '../../workflows/job-messages.js';
import { jobResponse } from '../../workflows/job-response.js';
import type { iotHubJob } from '../../workflows/job.js';
import {
  JOB_CREATED_TIME_ATTRIBUTE,
  JOB_QUERY_CONDITION_ATTRIBUTE,
  JOB_STATUS_ATTRIBUTE,
  JOB_TYPE_ATTRIBUTE,
  MAX_QUERY_CONDITION_ATTRIBUTE_LENGTH,
} from '../../workflows/search-attributes.js';
import { ACTIVE_JOB_STATUSES, JOB_WORKFLOW, type JobDefinition, type JobMemo, type JobResponse } from '../../workflows/types.js';
import { jobSummary } from './job-summary.js';
import { jobListFilter, type JobListFilter } from './list-filter.js';
import { JOB_ID, parseJobPatch, parseJobRequest, prepareJobRequestParsing } from './request.js';
import type { JobsSettings } from './settings.js';
import { grpcCodeOf, withTemporal } from './temporal-errors.js';
import { jobFromVisibility } from './visibility.js';

export interface JobsServiceDeps {
  client: Client;
  /** The read model of closed jobs: each job's final JobResponse, stored by its workflow. */
  store: Pick<JobRecordStore, 'getFinishedJob'>;
  settings: JobsSettings;
  taskQueue: string;
  /** The clock for createdTime (tests may pin it). */
  now?: () => Date;
  /** How long a status read or a cancel waits for a worker to answer (default 10 s). */
  workerDeadlineMs?: number;
  log?: Logger;
  /** Counts created jobs (iothub_jobs_created_total). */
  metrics?: HubMetrics;
}

export interface JobPage {
  items: JobResponse[];
  /** Present only when another page follows. */
  continuation?: string;
}

const jobNotFound = (jobId: string) => new HubError('JobNotFound', `Job '${jobId}' was not found`);

/** The type of an update's rejection by its validator, if that is what `err` is. */
const rejection = (err: unknown): string | undefined =>
  err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;

/** Rejections that are the client's mistake, as the IoT Hub errors they are named after. */
function hubErrorOfRejection(err: unknown): HubError | undefined {
  const type = rejection(err);
  if ((type === JOB_STATE_CONFLICT || type === JOB_EDIT_INVALID) && err instanceof WorkflowUpdateFailedError && err.cause) {
    return new HubError(type, err.cause.message, { cause: err });
  }
  return undefined;
}

/**
 * The jobs API over Temporal, thin: it starts job workflows, asks a running one (query), cancels
 * through an Update, and lists through visibility (search attributes and memo). A closed job is
 * read from the read model its workflow stored. Client mistakes throw HubErrors; Temporal out of
 * reach is a 503.
 */
export class JobsService {
  private readonly now: () => Date;
  private readonly workerDeadlineMs: number;
  /** Queries that a closed workflow turns down instead of being replayed to answer them. */
  private readonly openWorkflows: WorkflowClient;
  /** Creations run one at a time, so concurrent PUTs cannot both pass the active-job check. */
  private admissions: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: JobsServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.workerDeadlineMs = deps.workerDeadlineMs ?? 10_000;
    prepareJobRequestParsing();
    const { connection, options } = deps.client;
    this.openWorkflows = new WorkflowClient({
      connection,
      namespace: options.namespace,
      dataConverter: options.dataConverter,
      queryRejectCondition: 'NOT_OPEN',
    });
  }

  /** A call that needs a worker's answer, given up after workerDeadlineMs. */
  private withWorker<T>(call: () => Promise<T>): Promise<T> {
    return this.deps.client.withDeadline(Date.now() + this.workerDeadlineMs, call);
  }

  /**
   * PUT /jobs/v2/{jobId}: validates, checks the active-job limit (one visibility count), starts the
   * workflow, whose id policy refuses an id Temporal still keeps; status queued. (The limit is
   * exact within one API process; API processes of a cluster count through visibility, which a
   * real cluster updates with a short lag.)
   */
  create(jobId: string, body: unknown): Promise<JobResponse> {
    const job = parseJobRequest(jobId, body, this.now());
    const admitted = this.admissions.then(() => this.admit(job));
    this.admissions = admitted.catch(() => undefined);
    return admitted;
  }

  private admit(job: JobDefinition): Promise<JobResponse> {
    const alreadyExists = () => new HubError('JobAlreadyExists', `A job with id '${job.jobId}' already exists`);
    return withTemporal(async () => {
      const { client, settings } = this.deps;
      const { count } = await client.workflow.count(jobListFilter({ status: ACTIVE_JOB_STATUSES }));
      if (count >= settings.maxActiveJobs) {
        // A duplicate is a 409 however busy the hub is.
        if (await this.exists(job.jobId)) throw alreadyExists();
        throw new HubError(
          'ThrottlingMaxActiveJobCountExceeded',
          `The hub runs at most ${settings.maxActiveJobs} active jobs; ${count} are queued, scheduled or running`,
        );
      }
      const memo: JobMemo = { job };
      try {
        await client.workflow.start<typeof iotHubJob>(JOB_WORKFLOW, {
          workflowId: job.jobId,
          taskQueue: this.deps.taskQueue,
          args: [{ job, tuning: settings.tuning[job.type] }],
          // Ids stay taken while Temporal keeps the job (retention).
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { ...memo },
          staticSummary: jobSummary(job),
          typedSearchAttributes: [
            { key: JOB_TYPE_ATTRIBUTE, value: job.type },
            { key: JOB_STATUS_ATTRIBUTE, value: 'queued' },
            { key: JOB_CREATED_TIME_ATTRIBUTE, value: new Date(Date.parse(job.createdTime)) },
            { key: JOB_QUERY_CONDITION_ATTRIBUTE, value: job.queryCondition.slice(0, MAX_QUERY_CONDITION_ATTRIBUTE_LENGTH) },
          ],
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw alreadyExists();
        throw err;
      }
      this.deps.metrics?.jobsCreated.inc({ type: job.type });
      this.deps.log?.info({ jobId: job.jobId, type: job.type, startTime: job.startTime }, 'Job created');
      return jobResponse(job, { status: 'queued' });
    });
  }

  /** GET /jobs/v2/{jobId}: a closed job from the read model, a running one from its workflow (one query). */
  get(jobId: string): Promise<JobResponse> {
    return withTemporal(async () => {
      if (!JOB_ID.test(jobId)) throw jobNotFound(jobId); // e.g. a shard's workflow id
      return (await this.closed(jobId)) ?? (await this.asked(jobId));
    });
  }

  /**
   * POST /jobs/v2/{jobId}/cancel, one Update: queued/scheduled → cancelled at once; running →
   * cancelled, dispatching stops and undispatched devices end canceled. A job cancelled already or
   * ended is returned as it is.
   */
  cancel(jobId: string): Promise<JobResponse> {
    return withTemporal(async () => {
      try {
        return await this.update(jobId, 'cancellation', (handle) => handle.executeUpdate(cancelJobUpdate));
      } catch (err) {
        // Turned down (cancelled already), or its workflow has closed (or never was): the job as it is.
        if (rejection(err) === NOTHING_TO_CANCEL || err instanceof WorkflowNotFoundError) return this.get(jobId);
        throw err;
      }
    });
  }

  /** POST /jobs/v2/{jobId}/pause: answered once the workflow holds the pause; a job that ended, is cancelled or paused already is a 412. */
  pause(jobId: string): Promise<JobResponse> {
    return this.control(jobId, 'pause', (handle) => handle.executeUpdate(pauseJobUpdate));
  }

  /** POST /jobs/v2/{jobId}/resume: a job that is not paused is a 412. */
  resume(jobId: string): Promise<JobResponse> {
    return this.control(jobId, 'resume', (handle) => handle.executeUpdate(resumeJobUpdate));
  }

  /** PATCH /jobs/v2/{jobId}: new rollout settings (for the devices not started yet) and/or deadline; validated before the workflow sees them. */
  edit(jobId: string, body: unknown): Promise<JobResponse> {
    if (!JOB_ID.test(jobId)) return Promise.reject(jobNotFound(jobId));
    const patch = parseJobPatch(jobId, body);
    return this.control(jobId, 'change', (handle) => handle.executeUpdate(editJobUpdate, { args: [patch] }));
  }

  /** An update that only a job still running (or yet to run) takes; a closed job is a 412, an unknown one a 404. */
  private control(jobId: string, what: string, send: (handle: WorkflowHandle<typeof iotHubJob>) => Promise<JobResponse>): Promise<JobResponse> {
    return withTemporal(async () => {
      try {
        return await this.update(jobId, what, send);
      } catch (err) {
        const refused = hubErrorOfRejection(err);
        if (refused) throw refused;
        if (err instanceof WorkflowNotFoundError) {
          const job = await this.get(jobId); // JobNotFound when there never was one
          throw new HubError(JOB_STATE_CONFLICT, `Job '${jobId}' is ${job.status}: the ${what} does not apply to it`, { cause: err });
        }
        throw err;
      }
    });
  }

  /** An Update to the job's workflow, given up when no worker takes it within workerDeadlineMs. */
  private async update(jobId: string, what: string, send: (handle: WorkflowHandle<typeof iotHubJob>) => Promise<JobResponse>): Promise<JobResponse> {
    if (!JOB_ID.test(jobId)) throw jobNotFound(jobId);
    try {
      return await this.withWorker(() => send(this.deps.client.workflow.getHandle<typeof iotHubJob>(jobId)));
    } catch (err) {
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || grpcCodeOf(err) === status.DEADLINE_EXCEEDED) {
        throw new HubError('ServiceUnavailable', `No job worker took the ${what} of job '${jobId}' within ${this.workerDeadlineMs / 1000} s; try again`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /** GET /jobs/v2/query: one page of jobs, newest first, from Temporal visibility alone. */
  list(filter: JobListFilter, page: { pageSize?: number; continuation?: string } = {}): Promise<JobPage> {
    if (filter.status?.length === 0) return Promise.resolve({ items: [] });
    const query = jobListFilter(filter);
    const pageSize = Math.min(Math.max(1, Math.trunc(page.pageSize ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
    let nextPageToken: Buffer | undefined;
    if (page.continuation) {
      nextPageToken = Buffer.from(page.continuation, 'base64');
      if (nextPageToken.length === 0) throw new HubError('ArgumentInvalid', 'The continuation token is not valid');
    }
    return withTemporal(async () => {
      const { client } = this.deps;
      const { namespace, loadedDataConverter } = client.options;
      let listed;
      try {
        listed = await client.workflowService.listWorkflowExecutions({ namespace, query, pageSize, nextPageToken });
      } catch (err) {
        if (grpcCodeOf(err) === status.INVALID_ARGUMENT) throw new HubError('ArgumentInvalid', 'The continuation token is not valid', { cause: err });
        throw err;
      }
      const executions = await Promise.all((listed.executions ?? []).map((raw) => executionInfoFromRaw(raw, loadedDataConverter, raw, namespace)));
      const items = executions.flatMap((execution) => jobFromVisibility(execution) ?? []);
      const token = listed.nextPageToken;
      return token && token.length > 0 ? { items, continuation: Buffer.from(token).toString('base64') } : { items };
    });
  }

  private async exists(jobId: string): Promise<boolean> {
    try {
      await this.deps.client.workflow.getHandle(jobId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /** The read model of closed jobs: the final JobResponse the workflow stored. */
  private closed(jobId: string): Promise<JobResponse | undefined> {
    return this.deps.store.getFinishedJob(jobId) as Promise<JobResponse | undefined>;
  }

  /**
   * A running job's own answer. A workflow closed since the read model was read answers from it;
   * one closed without storing its job (e.g. terminated), or running with no worker to answer in
   * time, from visibility.
   */
  private async asked(jobId: string): Promise<JobResponse> {
    try {
      return await this.withWorker(() => this.openWorkflows.getHandle<typeof iotHubJob>(jobId).query(jobResponseQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof QueryNotRegisteredError) throw jobNotFound(jobId);
      if (err instanceof QueryRejectedError) return (await this.closed(jobId)) ?? this.described(jobId);
      if (grpcCodeOf(err) === status.DEADLINE_EXCEEDED) return this.described(jobId);
      throw err;
    }
  }

  private async described(jobId: string): Promise<JobResponse> {
    try {
      const job = jobFromVisibility(await this.deps.client.workflow.getHandle(jobId).describe());
      if (job) return job;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    throw jobNotFound(jobId);
  }
}
