// Shared set-up for browser tests: the real local system (users + shifts + front door, fresh data folder,
// free ports), Debian's Chromium through playwright-core, a strict CSP like the cluster's nginx sends, a
// console-error trap and an axe-core check.
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { freePort } from '../../../scripts/lib/ports';
export { launchChromium } from '../../../scripts/lib/chromium';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

/** The policy the cluster's nginx is asked to send; the app must run under it without a single violation. */
export const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

interface System {
  url: string;
  /** The development issuer, for API calls as a seeded person (tokenFor). */
  issuerUrl: string;
  /** Stops the users service only, to see the board degrade. */
  stopUsers(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the whole system in-process (scripts/local/system.ts) on free ports with a fresh data folder. */
export async function startRealSystem(): Promise<System> {
  const { startSystem } = await import('../../../scripts/local/system');
  const dataDir = mkdtempSync(join(tmpdir(), 'shiftstack-browser-'));
  const [usersPort, shiftsPort, usersAdminPort, shiftsAdminPort, issuerPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  try {
    const system = await startSystem({
      port: 0,
      host: '127.0.0.1',
      usersPort,
      shiftsPort,
      usersAdminPort,
      shiftsAdminPort,
      issuerPort,
      dataDir,
      stdio: 'ignore',
      logFormat: 'json',
      buildWeb: true,
    });
    return {
      url: system.url,
      issuerUrl: system.issuerUrl,
      stopUsers: () =>
        new Promise<void>((ok) => {
          const users = system.processes.users;
          if (users.exitCode !== null || users.signalCode !== null) return ok();
          users.once('exit', () => ok());
          users.kill('SIGTERM');
        }),
      async stop() {
        await system.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught page errors seen so far (expected ones excluded). */
  errors: string[];
  /** Allow console errors matching `pattern` while `fn` runs (e.g. the network log line of an expected 409). */
  expectingError<T>(pattern: RegExp, fn: () => Promise<T>): Promise<T>;
}

/** A new page whose documents carry the strict CSP, and which records every console error and page error. */
export async function watchedPage(
  browser: Browser,
  viewport = { width: 1280, height: 860 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, locale: 'en-CA', timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  const errors: string[] = [];
  let allowed: RegExp | null = null;
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (allowed?.test(text)) return;
    errors.push(`console.error: ${text}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  // Server errors are worth naming: which request, and what the service said.
  page.on('response', (res) => {
    if (res.status() < 500) return;
    const line = `HTTP ${res.status()} ${res.request().method()} ${res.url()}`;
    if (allowed?.test(line)) return;
    void res.text().then(
      (body) => errors.push(`${line}: ${body.slice(0, 300)}`),
      () => errors.push(line),
    );
  });
  // Serve every HTML document of the board with the strict CSP, as nginx does in the cluster (the issuer's
  // sign-in pages are not the board's, and are served as the issuer serves them).
  await page.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    if (new URL(route.request().url()).pathname.startsWith('/auth/')) return route.continue();
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: { ...response.headers(), 'content-security-policy': STRICT_CSP },
    });
  });
  return {
    page,
    context,
    errors,
    async expectingError(pattern, fn) {
      allowed = pattern;
      try {
        return await fn();
      } finally {
        allowed = null;
      }
    },
  };
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core in the page (injected through the DevTools protocol, so the CSP does not block it). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            opts: object,
          ) => Promise<{
            violations: Array<{
              id: string;
              impact: string | null;
              help: string;
              nodes: Array<{ target: unknown[] }>;
            }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations;
}

export function seriousOrWorse(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The whole page; `{ fullPage: false }` keeps the viewport (a full-page shot resizes it, which ends a drag). */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/**
 * Opens the board at `url` and signs in on the development issuer's page as `email`, as a person does:
 * the board sends the browser to the issuer, the person picks themselves, the issuer sends them back.
 */
export async function openSignedIn(page: Page, url: string, email: string): Promise<void> {
  await page.goto(url);
  // The board sends the browser on to the issuer's sign-in page by itself.
  await page.getByRole('heading', { name: 'Sign in to shiftstack' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
}

/** Drags with the mouse from the middle of one element to the middle of another, as a person does. */
export async function dragWithMouse(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  // Past the few pixels that tell a drag from a click, then across.
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
  await page.mouse.up();
}
