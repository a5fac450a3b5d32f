// The `iothub-jobs` command (bin/iothub-jobs.js loads the compiled form of this file).
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
