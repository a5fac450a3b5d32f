/**
 * The REST side of a connect storm, run as a child process (fork with IPC): one request at a time,
 * a new one every `intervalMs` (or at once when the last took longer), as a user's tool would poll,
 * each timed from the moment it is sent. Parent → child: start, then stop; child → parent: the results.
 */
import https from 'node:https';

export interface ProbeStart {
  cmd: 'start';
  port: number;
  ca: string;
  path: string;
  authorization: string;
  intervalMs: number;
}
export interface ProbeResults {
  latenciesMs: number[];
  /** Answers by status code, and requests that failed without one. */
  statuses: Record<string, number>;
  errors: string[];
}

let running = false;
const results: ProbeResults = { latenciesMs: [], statuses: {}, errors: [] };

function get(agent: https.Agent, start: ProbeStart): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      {
        host: '127.0.0.1',
        port: start.port,
        path: start.path,
        ca: start.ca,
        servername: 'localhost',
        agent,
        headers: { authorization: start.authorization },
        timeout: 30_000,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', reject);
  });
}

async function probe(start: ProbeStart): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  running = true;
  while (running) {
    const sent = performance.now();
    try {
      const status = await get(agent, start);
      results.latenciesMs.push(performance.now() - sent);
      results.statuses[status] = (results.statuses[status] ?? 0) + 1;
    } catch (err) {
      results.errors.push(String(err));
    }
    const wait = start.intervalMs - (performance.now() - sent);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  agent.destroy();
}

export type ProbeReply = { event: 'started' } | { event: 'stopped'; results: ProbeResults };

let probing: Promise<void> | undefined;
const reply = (message: ProbeReply) => process.send!(message);
process.on('message', (message: ProbeStart | { cmd: 'stop' }) => {
  if (message.cmd === 'start') {
    probing = probe(message);
    reply({ event: 'started' });
  } else {
    running = false;
    void probing?.then(() => reply({ event: 'stopped', results }));
  }
});
process.on('disconnect', () => process.exit(0));
