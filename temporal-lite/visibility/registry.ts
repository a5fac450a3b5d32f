// Custom search attributes per namespace, persisted in SQLite, with OperatorService semantics.
import type Database from 'better-sqlite3';
import { builtInAttribute, isReservedName, type AttributeDef, type StoredAttribute } from './attributes.js';
import { VisibilityError, invalidArgument } from './errors.js';
import { parseValueType, type ValueType } from './value-types.js';

// Names must work unquoted in list filters, where '-' still needs backticks but is common in keys.
const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,254}$/;

interface Row {
  attr_id: number;
  name: string;
  type: ValueType;
}

const toAttribute = (row: Row): StoredAttribute => ({
  storage: 'values',
  name: row.name,
  type: row.type,
  attrId: row.attr_id,
  custom: true,
  settable: true,
});

/** Resolves a search attribute name of one namespace (built-in or custom). */
export type AttributeLookup = (name: string) => AttributeDef | undefined;

export class SearchAttributeRegistry {
  private readonly selectAll: Database.Statement<[string], Row>;
  private readonly selectOne: Database.Statement<[string, string], Row>;
  private readonly selectEveryNamespace: Database.Statement<[], Row>;
  private readonly insert: Database.Statement<[string, string, string]>;
  private readonly deleteOne: Database.Statement<[number]>;
  private readonly stripFromRows: Database.Statement<[string, string, number]>;
  private readonly deleteValues: Database.Statement<[number]>;
  private readonly deleteTokens: Database.Statement<[number]>;
  private readonly deleteNamespaceRows: Database.Statement<[string]>;

  constructor(private readonly db: Database.Database) {
    this.selectAll = db.prepare('SELECT attr_id, name, type FROM vis_search_attributes WHERE namespace = ? ORDER BY name');
    this.selectOne = db.prepare('SELECT attr_id, name, type FROM vis_search_attributes WHERE namespace = ? AND name = ?');
    this.selectEveryNamespace = db.prepare('SELECT MIN(attr_id) AS attr_id, name, MIN(type) AS type FROM vis_search_attributes GROUP BY name ORDER BY name');
    this.insert = db.prepare('INSERT INTO vis_search_attributes (namespace, name, type) VALUES (?, ?, ?)');
    this.deleteOne = db.prepare('DELETE FROM vis_search_attributes WHERE attr_id = ?');
    this.stripFromRows = db.prepare(
      `UPDATE vis_executions SET search_attributes = json_remove(search_attributes, ?)
       WHERE namespace = ? AND row_id IN (SELECT row_id FROM vis_values WHERE attr_id = ?)`,
    );
    this.deleteValues = db.prepare('DELETE FROM vis_values WHERE attr_id = ?');
    this.deleteTokens = db.prepare('DELETE FROM vis_text_tokens WHERE attr_id = ?');
    this.deleteNamespaceRows = db.prepare('DELETE FROM vis_search_attributes WHERE namespace = ?');
  }

  /** Custom attributes of every namespace (one entry per name), for requests without a namespace. */
  customOfAllNamespaces(): StoredAttribute[] {
    return this.selectEveryNamespace.all().map(toAttribute);
  }

  /** Custom attributes of a namespace, by name. */
  custom(namespace: string): StoredAttribute[] {
    return this.selectAll.all(namespace).map(toAttribute);
  }

  /** A resolver over one snapshot of the namespace's attributes (one query serves a whole filter). */
  lookup(namespace: string): AttributeLookup {
    const custom = new Map(this.custom(namespace).map((attribute) => [attribute.name, attribute]));
    return (name) => builtInAttribute(name) ?? custom.get(name);
  }

  /**
   * Registers custom attributes. Adding an existing name with the same type is a no-op (as in
   * Temporal); with another type it is ALREADY_EXISTS, since silently keeping the old type
   * would only surface later as rejected workflow starts. All or nothing.
   */
  add(namespace: string, attributes: Record<string, unknown>): void {
    const entries = Object.entries(attributes);
    if (entries.length === 0) throw invalidArgument('SearchAttributes are not set on request.');
    const toInsert: [string, ValueType][] = [];
    for (const [name, rawType] of entries) {
      if (!NAME.test(name)) {
        throw invalidArgument(
          `Search attribute name '${name}' is invalid: use letters, digits, '_' or '-', starting with a letter or '_', at most 255 characters.`,
        );
      }
      if (isReservedName(name)) throw invalidArgument(`Search attribute ${name} is reserved by system.`);
      const type = parseValueType(rawType);
      if (!type) throw invalidArgument(`Unknown search attribute type: ${String(rawType)}.`);
      const existing = this.selectOne.get(namespace, name);
      if (existing && existing.type !== type) {
        throw new VisibilityError('ALREADY_EXISTS', `Search attribute ${name} already exists with type ${existing.type}; it cannot be added as ${type}.`);
      }
      if (!existing) toInsert.push([name, type]);
    }
    this.db.transaction(() => {
      for (const [name, type] of toInsert) this.insert.run(namespace, name, type);
    })();
  }

  /** Removes custom attributes and every stored value of them. All or nothing. */
  remove(namespace: string, names: string[]): void {
    if (names.length === 0) throw invalidArgument('SearchAttributes are not set on request.');
    const rows = names.map((name) => {
      if (builtInAttribute(name)) throw invalidArgument(`Unable to remove non-custom search attributes: ${name}.`);
      const row = this.selectOne.get(namespace, name);
      if (!row) throw new VisibilityError('NOT_FOUND', `Search attribute ${name} doesn't exist.`);
      return row;
    });
    this.db.transaction(() => {
      for (const row of rows) {
        this.stripFromRows.run(`$."${row.name}"`, namespace, row.attr_id);
        this.deleteValues.run(row.attr_id);
        this.deleteTokens.run(row.attr_id);
        this.deleteOne.run(row.attr_id);
      }
    })();
  }

  /** Forgets a namespace's custom attributes (their values go with the namespace's rows). */
  deleteNamespace(namespace: string): void {
    this.deleteNamespaceRows.run(namespace);
  }
}
