// Calendar specs: structured ranges matched against the wall clock of the schedule's time zone,
// and the string forms (CalendarSpec fields, cron strings) they are compiled from. Semantics of
// Temporal's schedules (docs.temporal.io/workflows#schedule-spec): a time the clocks skip when
// they go forward never matches; a matching time in the hour repeated when they go back
// matches in both copies of that hour.
import type { ScheduleRange, StructuredCalendar } from './types.js';
import { daysInMonth, weekday, type CivilTime, type Zone } from './zone.js';

export const MIN_CALENDAR_YEAR = 2000;
export const MAX_CALENDAR_YEAR = 2100;

const HOUR_MS = 3600_000;

/** A structured calendar compiled to one predicate per field. */
export interface CompiledCalendar {
  /** Whether the wall-clock time at `ms` matches. */
  matches(ms: number): boolean;
  /** The first matching instant strictly after `ms` (at second resolution), or undefined. */
  next(ms: number): number | undefined;
}

type Matcher = (value: number) => boolean;

/** The values a list of ranges covers (end < start: just start; step 0: 1). */
function rangeValues(ranges: readonly ScheduleRange[], each: (value: number) => void): void {
  for (const range of ranges) {
    const start = range.start ?? 0;
    const end = Math.max(range.end ?? 0, start);
    const step = range.step && range.step > 0 ? range.step : 1;
    for (let value = start; value <= end; value += step) each(value);
  }
}

/** A field's predicate; a field without ranges matches 0 (second, minute, hour) or every value (the others). */
function matcher(ranges: readonly ScheduleRange[] | undefined, empty: 'zero' | 'all', sundayIsSeven = false): Matcher {
  if (!ranges?.length) return empty === 'zero' ? (value) => value === 0 : () => true;
  const values = new Set<number>();
  rangeValues(ranges, (value) => values.add(sundayIsSeven && value === 7 ? 0 : value));
  return (value) => values.has(value);
}

export function compileCalendar(calendar: StructuredCalendar, zone: Zone): CompiledCalendar {
  const year = matcher(calendar.year, 'all');
  const month = matcher(calendar.month, 'all');
  const dayOfMonth = matcher(calendar.dayOfMonth, 'all');
  const dayOfWeek = matcher(calendar.dayOfWeek, 'all', true);
  const hour = matcher(calendar.hour, 'zero');
  const minute = matcher(calendar.minute, 'zero');
  const second = matcher(calendar.second, 'zero');

  const matches = (ms: number): boolean => {
    const t = zone.civil(ms);
    return (
      year(t.year) && month(t.month) && dayOfMonth(t.day) && dayOfWeek(weekday(t.year, t.month, t.day)) && hour(t.hour) && minute(t.minute) && second(t.second)
    );
  };

  const next = (ms: number): number | undefined => {
    const start = zone.civil(ms);
    let { year: y, month: mo, day: d, hour: h, minute: m, second: s } = start;
    const at = (time: CivilTime) => zone.instant(time);
    // In the second copy of a repeated hour, the wall clock an hour earlier shows the same hour.
    let repeatedHour = zone.civil(ms - HOUR_MS).hour === h;
    s++;
    for (;;) {
      if (s >= 60) [m, s] = [m + 1, 0];
      if (m >= 60) {
        const previous = at({ year: y, month: mo, day: d, hour: h, minute: 0, second: 0 });
        [h, m] = [h + 1, 0];
        const following = at({ year: y, month: mo, day: d, hour: h, minute: 0, second: 0 });
        // Two hours between consecutive wall-clock hours: this hour repeats; go through its second copy.
        if (!repeatedHour && following - previous > HOUR_MS) {
          h -= 1;
          repeatedHour = true;
        } else {
          repeatedHour = false;
        }
      }
      if (h >= 24) [d, h] = [d + 1, 0];
      if (d > daysInMonth(y, mo)) [mo, d] = [mo + 1, 1];
      if (mo > 12) [y, mo] = [y + 1, 1];
      if (y > MAX_CALENDAR_YEAR) return undefined;
      if (!year(y)) {
        [y, mo, d, h, m, s] = [y + 1, 1, 1, 0, 0, 0];
        repeatedHour = false;
        continue;
      }
      if (!month(mo)) {
        [mo, d, h, m, s] = [mo + 1, 1, 0, 0, 0];
        repeatedHour = false;
        continue;
      }
      if (!dayOfMonth(d) || !dayOfWeek(weekday(y, mo, d))) {
        [d, h, m, s] = [d + 1, 0, 0, 0];
        repeatedHour = false;
        continue;
      }
      if (!hour(h)) {
        [h, m, s] = [h + 1, 0, 0];
        repeatedHour = false;
        continue;
      }
      if (!minute(m)) {
        [m, s] = [m + 1, 0];
        continue;
      }
      if (!second(s)) {
        s++;
        continue;
      }
      const found = at({ year: y, month: mo, day: d, hour: h, minute: m, second: s });
      // A wall-clock time the clocks skipped: nothing in this hour exists.
      if (zone.civil(found).hour !== h) {
        [h, m, s] = [h + 1, 0, 0];
        continue;
      }
      return found + (repeatedHour ? HOUR_MS : 0);
    }
  };

  return { matches, next };
}
