/** Display helpers. */
const NEVER = '0001-01-01T00:00:00Z';

export function when(time: string | undefined): string {
  if (!time || time === NEVER) return '—';
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : date.toLocaleString();
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2) ?? '';

/** Parses a JSON field of a form: the value, or the parser's message. */
export function parseJson(text: string, what: string): { value?: unknown; error?: string } {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: `${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** A JSON object field (tags, desired properties): anything else is refused. */
export function parseJsonObject(text: string, what: string): { value?: Record<string, unknown>; error?: string } {
  const parsed = parseJson(text, what);
  if (parsed.error || parsed.value === undefined) return parsed as { error?: string };
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return { error: `${what} must be a JSON object` };
  return { value: parsed.value as Record<string, unknown> };
}

/** The WHERE clause of a query over devices for a job's condition (`*` means all devices). */
export const whereOf = (condition: string): string => (condition.trim() === '*' || condition.trim() === '' ? '' : ` WHERE ${condition.trim()}`);

/** A string constant of the query language. */
export const quoted = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** An input's aria-describedby: its field's error (`<field>-error`) when one is shown, and a hint. */
export const describedBy = (errors: Partial<Record<string, string>>, field: string, hint?: string): string | undefined =>
  [errors[field] ? `${field}-error` : '', hint ?? ''].filter(Boolean).join(' ') || undefined;
