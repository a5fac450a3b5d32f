// The console in headless Chromium against a hub composed as `npm start` composes it: sign-in,
// axe-core checks, and a watch on what leaves the page (no key, no CSP violation).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { consoleAssetsDir } from '../../src/console/static.js';
import { chromiumMissing } from '../helpers/chromium.js';

const notBuilt = consoleAssetsDir() ? undefined : 'the console is not built (npm run build builds it; npm test does first)';
/** Why the browser tests cannot run here, or undefined. */
export const consoleSkip = chromiumMissing() ?? notBuilt;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * Runs axe-core on the page (evaluated through the DevTools protocol: the page's CSP allows no
 * injected script) and fails on any serious or critical violation.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(`${axeSource}\n;undefined`);
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map((node) => ({ target: node.target })) })))`,
  );
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  assert.deepEqual(
    serious,
    [],
    `${what}: ${serious.map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`).join('; ')}`,
  );
}

/** Fails the test if the page logs a CSP violation or any request carries `secret` (the key). */
export function watchPage(page: Page, secrets: () => string[]): { problems: string[] } {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  page.on('request', async (request) => {
    const headers = await request.allHeaders().catch(() => request.headers()); // the page may be closing
    const sent = `${request.url()}\n${JSON.stringify(headers)}\n${request.postData() ?? ''}`;
    for (const secret of secrets()) if (secret && sent.includes(secret)) problems.push(`the key was sent in ${request.method()} ${request.url()}`);
  });
  return { problems };
}

/** Signs in with a connection string (or, given `policy`, with a policy name and key) and waits for the outcome. */
export async function signIn(page: Page, url: string, credentials: { connectionString: string } | { keyName: string; key: string }): Promise<void> {
  await page.goto(url);
  if ('connectionString' in credentials) {
    await page.getByLabel('Service connection string').fill(credentials.connectionString);
  } else {
    await page.getByLabel('a policy and key').check();
    await page.getByLabel('Policy name').fill(credentials.keyName);
    await page.getByLabel('Key', { exact: true }).fill(credentials.key);
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
}
