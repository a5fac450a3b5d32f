import { spawn } from 'node:child_process';
import { ROOT } from './hub-process.js';

/** One `iothub-jobs` command (a child process) against the hub of `dataDir`: its JSON output; rejects with stderr unless it exits 0. */
export function cliJson<T>(dataDir: string, args: string[]): Promise<T> {
  const child = spawn(process.execPath, [`${ROOT}bin/iothub-jobs.js`, ...args, '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as T);
      else reject(new Error(`iothub-jobs ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}
