// Pages that only change state (creating or editing a schedule) open only when the server allows
// write actions; otherwise the address says why instead of showing a form whose submit is refused.
import { error } from '@sveltejs/kit';
import type { Settings } from '@temporalio/ui/types/global';

export const load = async ({ parent }: { parent: () => Promise<{ settings: Settings }> }) => {
  const { settings } = await parent();
  if (settings.disableWriteActions)
    error(403, 'Write actions are disabled in this Web UI (enable them with --ui-write-actions, or HUB_TEMPORAL_UI_WRITE_ACTIONS=true in the hub)');
};
