import { status } from '@grpc/grpc-js';
import { WorkflowUpdateRPCTimeoutOrCancelledError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import proto from '@temporalio/proto';
import { HubError } from '../errors/hub-error.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../query/index.js';
import type { JobRecordStore } from '../registry/job-records.js';
import { formatHubTime } from '../registry/time.js';
import { cancelJobUpdate, jobResponseQuery } from '../../workflows/job-messages.js';
import { JobState, statisticsOf } from '../../workflows/job-state.js';
import type { iotHubJob } from '../../workflows/job.js';
import { JOB_CREATED_TIME_ATTRIBUTE, JOB_STATUS_ATTRIBUTE, JOB_TYPE_ATTRIBUTE } from '../../workflows/search-attributes.js';
import { ACTIVE_JOB_STATUSES, JOB_WORKFLOW, type JobDefinition, type JobResponse, type JobStatus } from '../../workflows/types.js';
import { jobListFilter, type JobListFilter } from './list-filter.js';
import { JOB_ID, parseJobRequest } from './request.js';
import type { JobsSettings } from './settings.js';
import { grpcCodeOf, withTemporal } from './temporal-errors.js';

const { temporal } = proto;

const ExecutionStatus = temporal.api.enums.v1.WorkflowExecutionStatus;
type StatusName = 'RUNNING' | 'COMPLETED' | 'OTHER';

export interface JobsServiceDeps {
  client: Client;
  store: Pick<JobRecordStore, 'getFinishedJob' | 'countDeviceJobs'>;
  settings: JobsSettings;
  taskQueue: string;
  /** The clock for createdTime (tests may pin it). */
  now?: () => Date;
  /** How long a status read or a cancel waits for a worker to answer (default 10 s). */
  workerDeadlineMs?: number;
}

export interface JobPage {
  items: JobResponse[];
  /** Present only when another page follows. */
  continuation?: string;
}

const jobNotFound = (jobId: string) => new HubError('JobNotFound', `Job '${jobId}' was not found`);
const CANCELLABLE: ReadonlySet<JobStatus> = new Set(ACTIVE_JOB_STATUSES);

/**
 * The jobs API over Temporal: starts job workflows, reads them (finished jobs from the hub store,
 * running ones by query, closed ones from their result), cancels them by update and lists them
 * through visibility. Client mistakes throw HubErrors; Temporal out of reach is a 503.
 */
export class JobsService {
  private readonly now: () => Date;
  private readonly workerDeadlineMs: number;
  /** Creations run one at a time, so concurrent PUTs cannot both pass the active-job check. */
  private admissions: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: JobsServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.workerDeadlineMs = deps.workerDeadlineMs ?? 10_000;
  }

  /** A call that needs a worker's answer, given up after workerDeadlineMs. */
  private withWorker<T>(call: () => Promise<T>): Promise<T> {
    return this.deps.client.withDeadline(Date.now() + this.workerDeadlineMs, call);
  }

  private handle(jobId: string): WorkflowHandle<typeof iotHubJob> {
    return this.deps.client.workflow.getHandle<typeof iotHubJob>(jobId);
  }

  /**
   * PUT /jobs/v2/{jobId}: validates, checks the active-job limit, starts the workflow; status
   * queued. (The limit is exact within one API process; API processes of a cluster count through
   * visibility, which a real cluster updates with a short lag.)
   */
  create(jobId: string, body: unknown): Promise<JobResponse> {
    const job = parseJobRequest(jobId, body, this.now());
    const admitted = this.admissions.then(() => this.admit(jobId, job));
    this.admissions = admitted.catch(() => undefined);
    return admitted;
  }

  private admit(jobId: string, job: JobDefinition): Promise<JobResponse> {
    return withTemporal(async () => {
      const alreadyExists = () => new HubError('JobAlreadyExists', `A job with id '${jobId}' already exists`);
      if ((await this.deps.store.getFinishedJob(jobId)) || (await this.exists(jobId))) throw alreadyExists();
      const { count } = await this.deps.client.workflow.count(jobListFilter({ status: ACTIVE_JOB_STATUSES }));
      if (count >= this.deps.settings.maxActiveJobs) {
        throw new HubError('ThrottlingMaxActiveJobCountExceeded', `The hub runs at most ${this.deps.settings.maxActiveJobs} active jobs; ${count} are queued, scheduled or running`);
      }
      try {
        await this.deps.client.workflow.start<typeof iotHubJob>(JOB_WORKFLOW, {
          workflowId: jobId,
          taskQueue: this.deps.taskQueue,
          args: [{ job, tuning: this.deps.settings.tuning[job.type] }],
          // Ids stay taken while Temporal keeps the job (retention).
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { job },
          typedSearchAttributes: [
            { key: JOB_TYPE_ATTRIBUTE, value: job.type },
            { key: JOB_STATUS_ATTRIBUTE, value: 'queued' },
            { key: JOB_CREATED_TIME_ATTRIBUTE, value: new Date(Date.parse(job.createdTime)) },
          ],
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw alreadyExists();
        throw err;
      }
      return new JobState(job).response();
    });
  }

  /** GET /jobs/v2/{jobId}. */
  get(jobId: string): Promise<JobResponse> {
    return withTemporal(async () => {
      const finished = await this.finished(jobId);
      if (finished) return finished;
      return this.responseOf(jobId, await this.statusOf(jobId));
    });
  }

  /**
   * POST /jobs/v2/{jobId}/cancel: queued/scheduled → cancelled at once; running → cancelled,
   * dispatching stops and undispatched devices end canceled; finished → unchanged.
   */
  cancel(jobId: string): Promise<JobResponse> {
    return withTemporal(async () => {
      const current = await this.get(jobId);
      if (!CANCELLABLE.has(current.status)) return current;
      try {
        return await this.withWorker(() => this.handle(jobId).executeUpdate(cancelJobUpdate));
      } catch (err) {
        if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || grpcCodeOf(err) === status.DEADLINE_EXCEEDED) {
          throw new HubError('ServiceUnavailable', `No job worker took the cancellation of job '${jobId}' within ${this.workerDeadlineMs / 1000} s; try again`, { cause: err });
        }
        // Rejected (already cancelled) or the workflow just closed: the job as it is now.
        return this.get(jobId);
      }
    });
  }

  /** GET /jobs/v2/query: one page of jobs, newest first, through Temporal visibility. */
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
      let listed;
      try {
        listed = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize, nextPageToken });
      } catch (err) {
        if ((err as { code?: number }).code === 3) throw new HubError('ArgumentInvalid', 'The continuation token is not valid', { cause: err });
        throw err;
      }
      const items = await Promise.all(
        (listed.executions ?? []).map((execution) => this.responseOf(execution.execution!.workflowId!, statusName(execution.status))),
      );
      const token = listed.nextPageToken;
      return token && token.length > 0 ? { items, continuation: Buffer.from(token).toString('base64') } : { items };
    });
  }

  private async exists(jobId: string): Promise<boolean> {
    try {
      await this.handle(jobId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  private finished(jobId: string): Promise<JobResponse | undefined> {
    return this.deps.store.getFinishedJob(jobId) as Promise<JobResponse | undefined>;
  }

  private async statusOf(jobId: string): Promise<StatusName> {
    if (!JOB_ID.test(jobId)) throw jobNotFound(jobId); // e.g. a shard's workflow id
    try {
      const description = await this.handle(jobId).describe();
      if (description.type !== JOB_WORKFLOW) throw jobNotFound(jobId);
      return description.status.name === 'RUNNING' || description.status.name === 'COMPLETED' ? description.status.name : 'OTHER';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw jobNotFound(jobId);
      throw err;
    }
  }

  /** Running: the workflow's own answer, with its device records' counts; completed: its result; anything else from its memo. */
  private async responseOf(jobId: string, status: StatusName): Promise<JobResponse> {
    const handle = this.handle(jobId);
    if (status === 'COMPLETED') return (await this.finished(jobId)) ?? handle.result();
    if (status === 'RUNNING') {
      const answer = await this.withWorker(() => handle.query(jobResponseQuery)).catch(() => undefined);
      // No worker answered (in time): fall back to what visibility knows.
      if (answer) return this.withRecordCounts(answer);
    }
    return this.fromDescription(handle);
  }

  /**
   * A running job's statistics from its device records, which batches write about every second as
   * devices answer: the workflow hears of a batch's devices only when the whole batch ends. Only
   * for jobs of up to LIVE_COUNT_LIMIT devices, which have few batches; a larger job has many, so
   * the workflow's own progress moves often, and counting its records would cost every GET more.
   */
  private async withRecordCounts(response: JobResponse): Promise<JobResponse> {
    if (!response.deviceJobStatistics || response.deviceJobStatistics.deviceCount > LIVE_COUNT_LIMIT) return response;
    const live = statisticsOf(await this.deps.store.countDeviceJobs(response.jobId));
    return live.deviceCount === response.deviceJobStatistics.deviceCount ? { ...response, deviceJobStatistics: live } : response;
  }

  /** Without a worker to answer (or after an operator terminated the job): what visibility knows. */
  private async fromDescription(handle: WorkflowHandle): Promise<JobResponse> {
    const description = await handle.describe();
    const job = description.memo?.job as JobDefinition | undefined;
    if (!job) throw jobNotFound(handle.workflowId);
    const state = new JobState(job);
    const status = description.typedSearchAttributes.get(JOB_STATUS_ATTRIBUTE) as JobStatus | undefined;
    if (description.status.name === 'RUNNING') {
      state.status = status ?? 'queued';
      return state.response();
    }
    const endTime = formatHubTime(description.closeTime ?? this.now());
    state.finish('failed', undefined, endTime, `The job's workflow ended without finishing the job (${description.status.name.toLowerCase()})`);
    return state.response();
  }
}

/** Devices of a running job whose records GET counts (a few ms on either store). */
const LIVE_COUNT_LIMIT = 20_000;

function statusName(status: proto.temporal.api.enums.v1.WorkflowExecutionStatus | null | undefined): StatusName {
  if (status === ExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return 'RUNNING';
  if (status === ExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) return 'COMPLETED';
  return 'OTHER';
}
