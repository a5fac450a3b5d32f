// The string forms of calendar specs: CalendarSpec fields ("1-5/2,8", "mon-fri", "*") and cron
// strings (5, 6 or 7 fields, @daily and friends, @every 1h/15m, a CRON_TZ= or TZ= prefix),
// compiled to structured calendars as Temporal's schedules do
// (docs.temporal.io/workflows#cron-expressions).
import { parseGoDuration } from './go-duration.js';
import { MAX_CALENDAR_YEAR, MIN_CALENDAR_YEAR } from './calendar.js';
import { SpecError } from './spec-error.js';
import type { CalendarStrings, IntervalSpec, ScheduleRange, StructuredCalendar } from './types.js';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

type Names = 'months' | 'days' | undefined;

/** One value: a decimal integer, or a month (three letters or more) or day (two or more) name prefix. */
function parseValue(text: string, min: number, max: number, names: Names): number {
  const lower = text.toLowerCase();
  const list = names === 'months' ? MONTHS : names === 'days' ? DAYS : undefined;
  const shortest = names === 'months' ? 3 : 2;
  if (list && lower.length >= shortest) {
    const index = list.findIndex((name) => name.startsWith(lower));
    if (index >= 0) {
      const value = names === 'months' ? index + 1 : index;
      if (value < min || value > max) throw new SpecError(`${text} is out of range`);
      return value;
    }
  }
  if (!/^[+-]?\d+$/.test(text)) throw new SpecError(`malformed value '${text}'`);
  const value = Number(text);
  if (value < min || value > max) throw new SpecError(`${text} is out of range`);
  return value;
}

/** A field like "1-5/2,8": ranges of values between min and max; empty means `fallback`. */
export function parseRanges(field: string | undefined, fallback: string, min: number, max: number, names?: Names): ScheduleRange[] {
  const text = (field ?? '').trim() || fallback;
  return text.split(',').map((item) => {
    let part = item;
    let step = 1;
    let hasStep = false;
    if (part.includes('/')) {
      const pieces = part.split('/');
      if (pieces.length !== 2 || !/^\d+$/.test(pieces[1]) || Number(pieces[1]) < 1) throw new SpecError(`malformed expression '${item}'`);
      part = pieces[0];
      step = Number(pieces[1]);
      hasStep = true;
    }
    let start = min;
    let end = max;
    if (part !== '*') {
      if (part.includes('-')) {
        const bounds = part.split('-');
        if (bounds.length !== 2) throw new SpecError(`malformed expression '${item}'`);
        start = parseValue(bounds[0], min, max, names);
        end = parseValue(bounds[1], start, max, names);
      } else {
        start = parseValue(part, min, max, names);
        // "x/y" runs from x to the maximum; a plain "x" is just x.
        if (!hasStep) end = start;
      }
    }
    return { start, end: start === end ? 0 : end, step: step === 1 ? 0 : step };
  });
}

/** A CalendarSpec's fields as ranges; unset second, minute and hour mean 0, the others every value. */
export function structuredFromStrings(calendar: CalendarStrings): StructuredCalendar {
  return {
    second: parseRanges(calendar.second, '0', 0, 59),
    minute: parseRanges(calendar.minute, '0', 0, 59),
    hour: parseRanges(calendar.hour, '0', 0, 23),
    dayOfMonth: parseRanges(calendar.dayOfMonth, '*', 1, 31),
    month: parseRanges(calendar.month, '*', 1, 12, 'months'),
    year: parseRanges(calendar.year, '*', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR),
    dayOfWeek: parseRanges(calendar.dayOfWeek, '*', 0, 7, 'days'),
    comment: calendar.comment,
  };
}

const PREDEFINED: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** What one cron string compiles to: a calendar or an interval, and the time zone it names ('' if none). */
export interface CompiledCron {
  calendar?: StructuredCalendar;
  interval?: IntervalSpec;
  timezone: string;
}

export function parseCron(cron: string): CompiledCron {
  let text = cron.trim();
  let timezone = '';
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const space = text.indexOf(' ');
    if (space < 0) throw new SpecError('malformed expression');
    timezone = text.slice(text.indexOf('=') + 1, space);
    text = text.slice(space + 1).trim();
  }
  if (text.startsWith('@every')) return { interval: parseEvery(text), timezone: '' };
  text = PREDEFINED[text] ?? text;
  const fields = text.split(/\s+/);
  const [second, rest] = fields.length === 7 ? [fields[0], fields.slice(1)] : [undefined, fields];
  if (fields.length < 5 || fields.length > 7) throw new SpecError(`malformed cron string '${cron}'`);
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = rest;
  return { calendar: structuredFromStrings({ second, minute, hour, dayOfMonth, month, dayOfWeek, year }), timezone };
}

/** "@every 14h" or "@every 14h/3h" (interval/phase, Go duration syntax). */
function parseEvery(text: string): IntervalSpec {
  const space = text.indexOf(' ');
  if (space < 0) throw new SpecError('malformed expression');
  const [every, phase] = text
    .slice(space + 1)
    .trim()
    .split('/');
  const toDuration = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  return phase === undefined
    ? { interval: toDuration(parseGoDuration(every)) }
    : { interval: toDuration(parseGoDuration(every)), phase: toDuration(parseGoDuration(phase)) };
}
