// Schedule spec math: calendars in time zones across DST changes, intervals with phase,
// jitter bounds, start/end, exclusions, cron strings and what is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalSpec, compileSpec, jitter } from '../../temporal-lite/schedules/spec.js';
import { SpecError } from '../../temporal-lite/schedules/spec-error.js';
import type { ScheduleSpec } from '../../temporal-lite/schedules/types.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => ({ seconds: Math.floor(ms / 1000) });

/** The first `count` action times (nominal) after `from`. */
function times(spec: ScheduleSpec, from: string, count: number): string[] {
  const compiled = compileSpec(canonicalSpec(spec), 'seed');
  const out: string[] = [];
  for (let time = compiled.nextTime(at(from)); time && out.length < count; time = compiled.nextTime(time.next)) out.push(iso(time.nominal));
  return out;
}

const rangeOf = (start: number, end = 0, step = 0) => ({ start, end, step });

describe('schedule spec: calendars', () => {
  it('a cron string in a zone: 9:30 on weekdays, New York time (EST, then EDT after the change)', () => {
    assert.deepEqual(times({ cronString: ['30 9 * * mon-fri'], timezoneName: 'America/New_York' }, '2024-03-08T00:00:00Z', 3), [
      '2024-03-08T14:30:00.000Z',
      '2024-03-11T13:30:00.000Z',
      '2024-03-12T13:30:00.000Z',
    ]);
  });

  it('a time the clocks skip never matches (02:30 on the day New York springs forward)', () => {
    assert.deepEqual(times({ calendar: [{ hour: '2', minute: '30' }], timezoneName: 'America/New_York' }, '2024-03-09T12:00:00Z', 2), [
      '2024-03-11T06:30:00.000Z',
      '2024-03-12T06:30:00.000Z',
    ]);
  });

  it('hourly across spring forward: 01:00 EST then 03:00 EDT', () => {
    assert.deepEqual(times({ calendar: [{ hour: '*' }], timezoneName: 'America/New_York' }, '2024-03-10T05:30:00Z', 2), [
      '2024-03-10T06:00:00.000Z',
      '2024-03-10T07:00:00.000Z',
    ]);
  });

  it('a time in the hour repeated when clocks go back matches in both copies', () => {
    assert.deepEqual(times({ calendar: [{ hour: '1', minute: '30' }], timezoneName: 'America/New_York' }, '2024-11-03T00:00:00Z', 3), [
      '2024-11-03T05:30:00.000Z',
      '2024-11-03T06:30:00.000Z',
      '2024-11-04T06:30:00.000Z',
    ]);
    assert.deepEqual(times({ calendar: [{ hour: '*' }], timezoneName: 'America/New_York' }, '2024-11-03T03:30:00Z', 4), [
      '2024-11-03T04:00:00.000Z',
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T06:00:00.000Z',
      '2024-11-03T07:00:00.000Z',
    ]);
  });

  it('Europe/Berlin: daily 02:30 is skipped on the last Sunday of March, and fires twice in October', () => {
    assert.deepEqual(times({ calendar: [{ hour: '2', minute: '30' }], timezoneName: 'Europe/Berlin' }, '2024-03-30T12:00:00Z', 2), [
      '2024-04-01T00:30:00.000Z',
      '2024-04-02T00:30:00.000Z',
    ]);
    assert.deepEqual(times({ calendar: [{ hour: '2', minute: '30' }], timezoneName: 'Europe/Berlin' }, '2024-10-26T12:00:00Z', 3), [
      '2024-10-27T00:30:00.000Z',
      '2024-10-27T01:30:00.000Z',
      '2024-10-28T01:30:00.000Z',
    ]);
  });

  it('structured ranges with steps; day of week 7 is Sunday; February 29 only in leap years', () => {
    assert.deepEqual(
      times({ structuredCalendar: [{ minute: [rangeOf(0, 59, 20)], hour: [rangeOf(10)], dayOfWeek: [rangeOf(7)] }] }, '2024-06-01T00:00:00Z', 4),
      ['2024-06-02T10:00:00.000Z', '2024-06-02T10:20:00.000Z', '2024-06-02T10:40:00.000Z', '2024-06-09T10:00:00.000Z'],
    );
    assert.deepEqual(times({ cronString: ['0 0 29 2 *'] }, '2021-01-01T00:00:00Z', 2), ['2024-02-29T00:00:00.000Z', '2028-02-29T00:00:00.000Z']);
  });

  it('seven-field cron strings give seconds and years; names and @-forms are accepted', () => {
    assert.deepEqual(times({ cronString: ['15 0 12 1 jan * 2030'] }, '2024-01-01T00:00:00Z', 2), ['2030-01-01T12:00:15.000Z']);
    assert.deepEqual(times({ cronString: ['@weekly'] }, '2024-06-01T00:00:00Z', 1), ['2024-06-02T00:00:00.000Z']);
    assert.deepEqual(times({ cronString: ['CRON_TZ=Asia/Tokyo 0 9 * * *'] }, '2024-05-31T12:00:00Z', 1), ['2024-06-01T00:00:00.000Z']);
    assert.equal(canonicalSpec({ cronString: ['TZ=Asia/Tokyo @daily'] }).timezoneName, 'Asia/Tokyo');
  });

  it('exclusions skip matching times; start and end bound the times', () => {
    assert.deepEqual(times({ calendar: [{ hour: '11-13' }], excludeCalendar: [{ hour: '12' }] }, '2024-06-01T00:00:00Z', 3), [
      '2024-06-01T11:00:00.000Z',
      '2024-06-01T13:00:00.000Z',
      '2024-06-02T11:00:00.000Z',
    ]);
    const bounded = {
      interval: [{ interval: { seconds: 3600 } }],
      startTime: seconds(at('2024-06-01T05:00:00Z')),
      endTime: seconds(at('2024-06-01T07:00:00Z')),
    };
    assert.deepEqual(times(bounded, '2024-01-01T00:00:00Z', 5), ['2024-06-01T05:00:00.000Z', '2024-06-01T06:00:00.000Z', '2024-06-01T07:00:00.000Z']);
  });
});

describe('schedule spec: intervals and jitter', () => {
  it('intervals count from the epoch, shifted by their phase', () => {
    assert.deepEqual(times({ interval: [{ interval: { seconds: 3600 }, phase: { seconds: 900 } }] }, '2024-06-01T10:20:00Z', 2), [
      '2024-06-01T11:15:00.000Z',
      '2024-06-01T12:15:00.000Z',
    ]);
    assert.deepEqual(times({ cronString: ['@every 90m/30m'] }, '2024-06-01T00:00:00Z', 2), ['2024-06-01T00:30:00.000Z', '2024-06-01T02:00:00.000Z']);
  });

  it('jitter delays each time by less than the jitter and never past the following time', () => {
    const hourly = compileSpec(canonicalSpec({ interval: [{ interval: { seconds: 3600 } }], jitter: { seconds: 600 } }), 'ns-sched');
    const capped = compileSpec(canonicalSpec({ interval: [{ interval: { seconds: 3600 } }], jitter: { seconds: 7200 } }), 'ns-sched');
    let delays = 0;
    for (let i = 0, from = at('2024-06-01T00:00:00Z'); i < 200; i++, from += 3600_000) {
      const small = hourly.nextTime(from);
      const large = capped.nextTime(from);
      assert.ok(small && large);
      assert.ok(small.next - small.nominal >= 0 && small.next - small.nominal < 600_000);
      assert.ok(large.next - large.nominal >= 0 && large.next - large.nominal < 3600_000);
      if (small.next > small.nominal) delays++;
    }
    assert.ok(delays > 150, `only ${delays} of 200 times were jittered`);
    assert.equal(jitter('a', 1000, 60_000), jitter('a', 1000, 60_000), 'deterministic');
    assert.equal(jitter('a', 1000, 0), 0);
  });
});

describe('schedule spec: bounds', () => {
  it('an exclusion that matches every time leaves no times (a bounded search, not a hang)', () => {
    const everything = { second: '*', minute: '*', hour: '*' };
    assert.deepEqual(times({ interval: [{ interval: { seconds: 1 } }], excludeCalendar: [everything] }, '2024-06-01T00:00:00Z', 1), []);
  });

  it('times stop at the end of 2100 and start at the epoch', () => {
    assert.deepEqual(times({ cronString: ['0 0 1 1 *'] }, '2099-06-01T00:00:00Z', 5), ['2100-01-01T00:00:00.000Z']);
    assert.deepEqual(times({ interval: [{ interval: { seconds: 86_400 * 365 * 200 } }] }, '2024-01-01T00:00:00Z', 1), []);
    assert.deepEqual(times({ interval: [{ interval: { seconds: 86_400 } }] }, '1960-01-01T00:00:00Z', 1), ['1970-01-01T00:00:00.000Z']);
  });
});

describe('schedule spec: refused specs', () => {
  const refused = (spec: ScheduleSpec, message: RegExp) =>
    assert.throws(
      () => canonicalSpec(spec),
      (err: unknown) => err instanceof SpecError && message.test(err.message),
    );

  it('malformed cron strings, out-of-range fields, tiny intervals, bad phases, unknown or conflicting zones', () => {
    refused({ cronString: ['every day'] }, /malformed/);
    refused({ cronString: ['0 25 * * *'] }, /out of range/);
    refused({ structuredCalendar: [{ hour: [rangeOf(24)] }] }, /Hour Start is not in range \[0-23\]/);
    refused({ interval: [{ interval: { nanos: 500_000_000 } }] }, /interval is too small/);
    refused({ interval: [{ interval: { seconds: 60 }, phase: { seconds: 60 } }] }, /phase cannot be greater than Interval/);
    refused({ interval: [{ interval: { seconds: 60 } }], timezoneName: 'Mars/Olympus_Mons' }, /unknown time zone/);
    refused({ cronString: ['CRON_TZ=Asia/Tokyo 0 9 * * *', '0 10 * * *'] }, /conflicting timezone names/);
    refused({ cronString: ['CRON_TZ=Asia/Tokyo 0 9 * * *'], timezoneName: 'Europe/Paris' }, /conflicting timezone names/);
  });
});
