/** What the hub tells the page before sign-in (GET /ui/settings.json): nothing secret. */
export interface ConsoleSettings {
  hostName: string;
  temporalUi?: { url: string; namespace: string };
}

export async function loadSettings(): Promise<ConsoleSettings> {
  const response = await fetch('/ui/settings.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`The hub did not give the console's settings (HTTP ${response.status})`);
  return (await response.json()) as ConsoleSettings;
}

/** The job's workflow in the Temporal Web UI (the workflow id is the job id). */
export const workflowUrl = (settings: ConsoleSettings, jobId: string): string | undefined =>
  settings.temporalUi && `${settings.temporalUi.url}/namespaces/${encodeURIComponent(settings.temporalUi.namespace)}/workflows/${encodeURIComponent(jobId)}`;
