// `npm start`: the hub in one process (or in the roles HUB_ROLES names). `npm start -- --help` lists the settings.
import { runHubProcess } from './run/hub-process.js';

const code = await runHubProcess(process.argv.slice(2), process.env, { out: process.stdout, err: process.stderr });
// Everything was closed; exiting here also ends handles a library may keep (the Temporal runtime's).
process.exit(code);
