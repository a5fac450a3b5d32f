import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import { JOB_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

const { temporal } = proto;

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const INDEXED_TYPE: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
};

const ALREADY_EXISTS = 6; // gRPC status

/** Registered custom attributes of the namespace, name → indexed type. */
async function registered(connection: Connection, namespace: string): Promise<Map<string, number>> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return new Map(Object.entries(customAttributes ?? {}).map(([name, type]) => [name, Number(type)]));
}

/**
 * Registers JobType, JobStatus (Keyword), JobCreatedTime (Datetime) and QueryCondition (Text) in the namespace unless they
 * are there already: idempotent, and safe when several hub processes start at once (an
 * ALREADY_EXISTS from a concurrent registration is checked, not fatal). An attribute registered
 * with another type is an operator problem and throws naming it.
 */
export async function ensureJobSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const wanted = new Map(JOB_SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_TYPE[key.type]!]));
  const missing = async () => {
    const existing = await registered(connection, namespace);
    for (const [name, type] of wanted) {
      const found = existing.get(name);
      if (found !== undefined && found !== type) {
        throw new Error(
          `Search attribute ${name} exists in namespace '${namespace}' as ${IndexedValueType[found]}, but the jobs engine needs ${IndexedValueType[type]}`,
        );
      }
    }
    return [...wanted].filter(([name]) => !existing.has(name));
  };
  const toAdd = await missing();
  if (toAdd.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(toAdd) });
  } catch (err) {
    if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
  }
  const stillMissing = await missing();
  if (stillMissing.length > 0) throw new Error(`Search attributes ${stillMissing.map(([name]) => name).join(', ')} could not be registered in '${namespace}'`);
}
