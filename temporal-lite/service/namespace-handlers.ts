// RegisterNamespace, DescribeNamespace, ListNamespaces, UpdateNamespace.
import { durationMs } from '../clock/time.js';
import { invalidArgument } from '../grpc/errors.js';
import type { WorkflowServiceHandlers } from '../grpc/handlers.js';
import type { Engine } from '../engine/engine.js';

export function namespaceHandlers(engine: Engine): WorkflowServiceHandlers {
  const namespaces = engine.namespaces;
  return {
    RegisterNamespace: (req) => {
      namespaces.register({
        name: req.namespace,
        description: req.description,
        ownerEmail: req.ownerEmail,
        data: req.data,
        retentionMs: durationMs(req.workflowExecutionRetentionPeriod),
      });
      return {};
    },
    DescribeNamespace: (req) => {
      if (!req.namespace && !req.id) throw invalidArgument('Namespace name or id is required.');
      return namespaces.describe(req.namespace ? namespaces.get(req.namespace) : namespaces.byId(req.id ?? ''));
    },
    ListNamespaces: () => ({ namespaces: namespaces.list().map((record) => namespaces.describe(record)) }),
    UpdateNamespace: (req) => {
      const retention = durationMs(req.config?.workflowExecutionRetentionTtl);
      const record = namespaces.update(req.namespace ?? '', {
        description: req.updateInfo?.description,
        ownerEmail: req.updateInfo?.ownerEmail,
        data: req.updateInfo?.data,
        retentionMs: retention > 0 ? retention : undefined,
      });
      return namespaces.describe(record);
    },
  };
}
