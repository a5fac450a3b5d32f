import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs a TypeScript module in a separate Node process (another "hub process"), from the project
 * root so `./src/…` imports resolve; resolves to its stdout.
 */
export function runScript(dir: string, name: string, source: string): Promise<string> {
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, source.replaceAll("'./src/", `'${ROOT}src/`));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${name} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}
