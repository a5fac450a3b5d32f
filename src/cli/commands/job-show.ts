import { requiredArg, type Command } from '../command.js';
import { jobPath } from '../resources.js';

export const jobShow: Command = {
  name: 'job show',
  summary: "print a job: status, times and device statistics (and, on stderr, its workflow's page in the Temporal Web UI)",
  args: '<jobId>',
  options: {},
  async run(context) {
    const jobId = requiredArg(context, 0, '<jobId>');
    const { body } = await context.client().request('GET', jobPath(jobId));
    context.out.json(body);
    const { host, temporalUiPort } = context.target();
    if (temporalUiPort !== undefined)
      context.out.note(`Temporal Web UI: ${temporalWorkflowUrl(host, temporalUiPort, context.env.TEMPORAL_NAMESPACE || 'default', jobId)}`);
  },
};

/** The page of a job's workflow (its id is the job id) in the embedded temporal-lite's Web UI, which opens its latest run. */
export function temporalWorkflowUrl(host: string, port: number, namespace: string, jobId: string): string {
  return `http://${host}:${port}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(jobId)}`;
}
