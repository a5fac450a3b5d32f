// A schedule spec: checked and brought to canonical form (calendar strings and cron strings
// become structured calendars), then compiled to answer "the next action time after t", as
// Temporal's schedules define it (docs.temporal.io/workflows#spec): the earliest time any
// calendar or interval matches, within [startTime, endTime], not matched by an exclude
// calendar, plus a deterministic jitter that never reaches the following time.
import { durationMs, timestampMs } from '../clock/time.js';
import { compileCalendar, MAX_CALENDAR_YEAR, MIN_CALENDAR_YEAR, type CompiledCalendar } from './calendar.js';
import { parseCron, structuredFromStrings } from './calendar-strings.js';
import { SpecError } from './spec-error.js';
import type { IntervalSpec, ScheduleRange, ScheduleSpec, StructuredCalendar } from './types.js';
import { zone as loadZone, type Zone } from './zone.js';

const MAX_COMMENT_LENGTH = 200;
/** Spec times lie between the epoch and the end of Temporal's last calendar year (2100). */
const EARLIEST = 0;
const LATEST = Date.UTC(MAX_CALENDAR_YEAR + 1, 0, 1) - 1000;
/** Times an exclusion may skip in a row before the spec counts as having no more (it would never end otherwise). */
const MAX_EXCLUDED_IN_A_ROW = 100_000;

/** The spec with calendar and cron strings compiled into structured calendars and intervals; SpecError if invalid. */
export function canonicalSpec(spec: ScheduleSpec): ScheduleSpec {
  const structuredCalendar = [...(spec.structuredCalendar ?? []), ...(spec.calendar ?? []).map(structuredFromStrings)];
  const excludeStructuredCalendar = [...(spec.excludeStructuredCalendar ?? []), ...(spec.excludeCalendar ?? []).map(structuredFromStrings)];
  const interval = [...(spec.interval ?? [])];
  let cronZone: string | undefined;
  for (const cron of spec.cronString ?? []) {
    const compiled = parseCron(cron);
    // All cron strings must agree on their time zone (named or not).
    if (cronZone !== undefined && compiled.timezone !== cronZone) throw new SpecError('conflicting timezone names');
    cronZone = compiled.timezone;
    if (compiled.calendar) structuredCalendar.push(compiled.calendar);
    if (compiled.interval) interval.push(compiled.interval);
  }
  let timezoneName = spec.timezoneName ?? '';
  if (cronZone) {
    if (timezoneName && timezoneName !== cronZone) throw new SpecError('conflicting timezone names');
    timezoneName = cronZone;
  }
  structuredCalendar.forEach(validateCalendar);
  interval.forEach(validateInterval);
  try {
    loadZone(timezoneName);
  } catch {
    throw new SpecError(`unknown time zone ${timezoneName}`);
  }
  const { calendar: _calendar, excludeCalendar: _excludeCalendar, cronString: _cronString, ...rest } = spec;
  return { ...rest, structuredCalendar, excludeStructuredCalendar, interval, ...(timezoneName ? { timezoneName } : {}) };
}

function validateCalendar(calendar: StructuredCalendar): void {
  const errors: string[] = [];
  const check = (ranges: ScheduleRange[] | undefined, field: string, min: number, max: number) => {
    for (const range of ranges ?? []) {
      const start = range.start ?? 0;
      const end = range.end ?? 0;
      if (start < min || start > max) errors.push(`${field} Start is not in range [${min}-${max}]`);
      if (end !== 0 && (end < start || end > max)) errors.push(`${field} End is before Start or not in range [${min}-${max}]`);
      if ((range.step ?? 0) < 0) errors.push(`${field} has invalid Step`);
    }
  };
  check(calendar.second, 'Second', 0, 59);
  check(calendar.minute, 'Minute', 0, 59);
  check(calendar.hour, 'Hour', 0, 23);
  check(calendar.dayOfMonth, 'DayOfMonth', 1, 31);
  check(calendar.month, 'Month', 1, 12);
  check(calendar.year, 'Year', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR);
  check(calendar.dayOfWeek, 'DayOfWeek', 0, 7);
  if ((calendar.comment ?? '').length > MAX_COMMENT_LENGTH) errors.push('comment is too long');
  if (errors.length > 0) throw new SpecError(`invalid calendar spec: ${errors.join(', ')}`);
}

function validateInterval(interval: IntervalSpec): void {
  const every = durationMs(interval.interval);
  const phase = durationMs(interval.phase);
  if (every < 1000) throw new SpecError('interval is too small');
  if (phase < 0) throw new SpecError('phase is negative');
  if (phase >= every) throw new SpecError('phase cannot be greater than Interval');
}

/** An action time: `nominal` matches the spec, `next` is it with jitter. */
export interface NextTime {
  nominal: number;
  next: number;
}

export interface CompiledSpec {
  /** The first action time strictly after `after`, or undefined when the spec has no more. */
  nextTime(after: number): NextTime | undefined;
}

/** Compiles a canonical spec; `jitterSeed` makes two schedules with one spec jitter differently. */
export function compileSpec(spec: ScheduleSpec, jitterSeed: string): CompiledSpec {
  const zone: Zone = loadZone(spec.timezoneName ?? '');
  const calendars: CompiledCalendar[] = (spec.structuredCalendar ?? []).map((calendar) => compileCalendar(calendar, zone));
  const excludes: CompiledCalendar[] = (spec.excludeStructuredCalendar ?? []).map((calendar) => compileCalendar(calendar, zone));
  const intervals = (spec.interval ?? []).map((interval) => ({
    every: Math.max(1, Math.floor(durationMs(interval.interval) / 1000)),
    phase: Math.max(0, Math.floor(durationMs(interval.phase) / 1000)),
  }));
  const startTime = timestampMs(spec.startTime);
  const endTime = timestampMs(spec.endTime);
  const jitterMs = durationMs(spec.jitter);

  const rawNext = (from: number): number | undefined => {
    if (from >= LATEST) return undefined;
    const after = Math.max(from, EARLIEST - 1000);
    let best: number | undefined;
    for (const calendar of calendars) {
      const next = calendar.next(after);
      if (next !== undefined && (best === undefined || next < best)) best = next;
    }
    const seconds = Math.floor(after / 1000);
    for (const { every, phase } of intervals) {
      const next = ((Math.floor((seconds - phase) / every) + 1) * every + phase) * 1000;
      if (best === undefined || next < best) best = next;
    }
    return best !== undefined && best <= LATEST ? best : undefined;
  };

  return {
    nextTime(after) {
      // Before the start: look from just before it, so that the start itself can match.
      let from = startTime !== undefined && after < startTime ? startTime - 1000 : after;
      let nominal: number | undefined;
      for (let excluded = 0; ; excluded++) {
        nominal = rawNext(from);
        if (nominal === undefined || (endTime !== undefined && nominal > endTime) || excluded === MAX_EXCLUDED_IN_A_ROW) return undefined;
        const candidate = nominal;
        if (!excludes.some((exclude) => exclude.matches(candidate))) break;
        from = nominal;
      }
      const following = rawNext(nominal);
      const maxJitter = following === undefined ? jitterMs : Math.min(jitterMs, following - nominal);
      return { nominal, next: nominal + jitter(jitterSeed, nominal, maxJitter) };
    },
  };
}

/** A deterministic jitter in [0, maxJitter) ms from the nominal time and the seed (FNV-1a). */
export function jitter(seed: string, nominal: number, maxJitter: number): number {
  if (maxJitter <= 0) return 0;
  let hash = 0x811c9dc5;
  for (const char of `${nominal}/${seed}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return Math.floor((hash * Math.min(maxJitter, 0xffffffff)) / 2 ** 32);
}
