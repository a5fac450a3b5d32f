// RegisterNamespace, DescribeNamespace, ListNamespaces, UpdateNamespace.
import { durationMs } from '../clock/time.js';
import { invalidArgument } from '../grpc/errors.js';
import type { Handlers } from '../grpc/service.js';
import type { Engine } from '../engine/engine.js';

export function namespaceHandlers(e: Engine): Handlers {
  const ns = e.namespaces;
  return {
    RegisterNamespace: (req) => {
      ns.register({
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
      return ns.describe(req.namespace ? ns.get(req.namespace) : ns.byId(req.id));
    },
    ListNamespaces: () => ({ namespaces: ns.list().map((r) => ns.describe(r)) }),
    UpdateNamespace: (req) => {
      const retention = durationMs(req.config?.workflowExecutionRetentionTtl);
      const rec = ns.update(req.namespace, {
        description: req.updateInfo?.description,
        ownerEmail: req.updateInfo?.ownerEmail,
        data: req.updateInfo?.data,
        retentionMs: retention > 0 ? retention : undefined,
      });
      return ns.describe(rec);
    },
  };
}
