// Civil (wall-clock) time in an IANA time zone, from the zone rules Intl carries: what a
// schedule's calendar specs are matched in. Second resolution, as Temporal's schedules.

/** A wall-clock time: month 1-12, day 1-31, hour 0-23, weekday 0 = Sunday. */
export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** A time zone: the wall clock at an instant, and the instant of a wall-clock time. */
export interface Zone {
  readonly name: string;
  /** The wall-clock time at epoch ms `ms`. */
  civil(ms: number): CivilTime;
  /** Offset of the wall clock from UTC at `ms`, in ms (east positive). */
  offset(ms: number): number;
  /**
   * The instant of a wall-clock time (fields may overflow; they are normalized first). Of a
   * time that occurs twice (the repeated hour when clocks go back), the first; of one that
   * does not occur (skipped when clocks go forward), an instant whose wall-clock hour differs.
   */
  instant(time: CivilTime): number;
}

const UTC_ZONE: Zone = {
  name: 'UTC',
  civil: (ms) => civilOfUtc(ms),
  offset: () => 0,
  instant: (time) => utcOf(time),
};

const zones = new Map<string, Zone>();

/** The zone named `name` ('' and 'UTC' are UTC); throws RangeError for an unknown name. */
export function zone(name: string): Zone {
  if (name === '' || name === 'UTC') return UTC_ZONE;
  let found = zones.get(name);
  if (!found) {
    found = intlZone(name);
    zones.set(name, found);
  }
  return found;
}

/** Days in a month (1-12) of a year (proleptic Gregorian). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day of week (0 = Sunday) of a date. */
export function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function utcOf(time: CivilTime): number {
  const date = new Date(0);
  date.setUTCFullYear(time.year, time.month - 1, time.day);
  date.setUTCHours(time.hour, time.minute, time.second, 0);
  return date.getTime();
}

function civilOfUtc(ms: number): CivilTime {
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

function intlZone(name: string): Zone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    era: 'short',
  });
  const civil = (ms: number): CivilTime => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(new Date(Math.floor(ms / 1000) * 1000))) parts[part.type] = part.value;
    const year = Number(parts.year);
    return {
      year: parts.era === 'BC' || parts.era === 'B' ? 1 - year : year,
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      second: Number(parts.second),
    };
  };
  const offset = (ms: number): number => utcOf(civil(ms)) - Math.floor(ms / 1000) * 1000;
  const instant = (time: CivilTime): number => {
    const local = utcOf(time);
    // Zones change their offset at most once within a day: the offsets a day either side cover it.
    const before = offset(local - DAY_MS);
    const after = offset(local + DAY_MS);
    const candidates = [local - before, local - after].filter((ms) => offset(ms) === local - ms);
    // None: the time falls in a gap; read with the offset before the gap, it lands after the gap.
    return candidates.length > 0 ? Math.min(...candidates) : local - before;
  };
  return { name, civil, offset, instant };
}
