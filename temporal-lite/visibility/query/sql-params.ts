/**
 * Named parameters for generated SQL. Fragments are built inside-out, so positional '?' would
 * be bound in the wrong order; each value gets its own name instead.
 */
export class SqlParams {
  readonly values: Record<string, unknown> = {};
  private count = 0;

  /** Registers a value and returns its placeholder. */
  add(value: unknown): string {
    const name = `p${this.count++}`;
    this.values[name] = value;
    return `@${name}`;
  }
}
