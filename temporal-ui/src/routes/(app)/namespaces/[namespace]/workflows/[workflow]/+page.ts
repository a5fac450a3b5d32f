// A workflow id alone opens its latest run (what `iothub-jobs job show` links to).
import { error, redirect } from '@sveltejs/kit';
import { fetchWorkflowForRunId } from '@temporalio/ui/services/workflow-service';

export const load = async ({ params, url }) => {
  const { runId } = await fetchWorkflowForRunId({ namespace: params.namespace, workflowId: params.workflow });
  if (!runId) error(404, `no workflow ${params.workflow}`);
  redirect(302, `${url.pathname}/${runId}`);
};
