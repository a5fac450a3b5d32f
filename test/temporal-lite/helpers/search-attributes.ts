// Custom search attributes on a real Temporal server: what temporal-lite's --search-attribute
// option registers at start, registered through the OperatorService instead.
import proto from '@temporalio/proto';
import { parseSearchAttributeFlag } from '../../../temporal-lite/visibility/index.js';
import { valueTypeEnumName } from '../../../temporal-lite/visibility/value-types.js';
import type { ClientEnv } from './harness.js';
import { waitFor } from './harness.js';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;

/** Registers the attributes (NAME=Type) the namespace lacks; fails if one exists with another type. */
export async function ensureSearchAttributes(env: ClientEnv, specs: readonly string[]): Promise<void> {
  if (specs.length === 0) return;
  const operator = env.connection.operatorService;
  const existing = (await operator.listSearchAttributes({ namespace: env.namespace })).customAttributes ?? {};
  const missing: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {};
  for (const spec of specs) {
    const { name, type } = parseSearchAttributeFlag(spec);
    const wanted = IndexedValueType[valueTypeEnumName(type)];
    if (existing[name] === undefined) missing[name] = wanted;
    else if (existing[name] !== wanted) throw new Error(`search attribute ${name} exists in namespace ${env.namespace} with another type than ${type}`);
  }
  if (Object.keys(missing).length === 0) return;
  await operator.addSearchAttributes({ namespace: env.namespace, searchAttributes: missing });
  await waitFor('search attributes registered', async () => {
    const registered = (await operator.listSearchAttributes({ namespace: env.namespace })).customAttributes ?? {};
    return Object.keys(missing).every((name) => registered[name] !== undefined) || undefined;
  });
}
