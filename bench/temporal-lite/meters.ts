// CPU time and memory of the processes under test. CPU time, unlike wall-clock rates, stays
// meaningful when other work shares the machine: it is what each workflow costs, whoever waits.
import { readFileSync } from 'node:fs';

export interface ProcessMeter {
  pid: number;
  /** User + system CPU time of every thread of the process, in milliseconds. */
  cpuMs(): number;
  rssBytes(): number;
  /** Highest RSS of the process so far. */
  peakRssBytes(): number;
}

/** This process (process.cpuUsage covers all its threads: JS, worker threads, Core's Rust threads). */
export function selfMeter(): ProcessMeter {
  return {
    pid: process.pid,
    cpuMs: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
    rssBytes: () => process.memoryUsage().rss,
    peakRssBytes: () => process.resourceUsage().maxRSS * 1024,
  };
}

// /proc/<pid>/stat reports utime and stime in USER_HZ ticks, which Linux fixes at 100 per second.
const MS_PER_TICK = 10;

/** Another process, read from /proc (Linux). */
export function procMeter(pid: number): ProcessMeter {
  const status = (field: string) => {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return {
    pid,
    cpuMs: () => {
      // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
    },
    rssBytes: () => status('VmRSS'),
    peakRssBytes: () => status('VmHWM'),
  };
}
