// What the workspaces' build scripts (console/, temporal-ui/) share: whether their output was
// built from the same inputs as now (the app's files, the lock file, Node's version), told by a
// stamp file the build writes beside its output.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file at or below `path`, in a stable order. */
export const filesBelow = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .flatMap((name) => filesBelow(join(path, name)))
    : [path];

/**
 * The hash of an app's build inputs (`inputs`: paths relative to `appDir`, the repository's lock file
 * and Node's version) and the stamp its last build wrote at `stampFile`, if any.
 */
export function buildState(appDir, inputs, stampFile) {
  const hash = createHash('sha256').update(process.version);
  for (const file of inputs.flatMap((input) => filesBelow(join(appDir, input)))) hash.update(relative(appDir, file)).update(readFileSync(file));
  const lock = join(appDir, '..', 'package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    stamp = undefined;
  }
  return { inputs: hash.digest('hex'), stamp };
}
