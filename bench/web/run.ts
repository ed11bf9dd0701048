// Web budget benchmark (not a test): `npx tsx bench/web/run.ts [--runs 5] [--no-build]`.
// 1. Builds the app and measures first-load JavaScript (every script and modulepreload in index.html), gzipped.
// 2. Serves the built app with a tiny fake API (bench/web/fake-api.ts: 50 people x 7 days of generated shifts,
//    NOT the real services) and times the board to interactive in headless Debian Chromium, cold cache each run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startFakeApi } from './fake-api';
import { CHROMIUM_PATH, launchChromium } from '../../scripts/lib/chromium';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'web', 'dist');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const PEOPLE = 50;
const DAYS = 7;
const BUDGET_JS_KB = 150;
const BUDGET_INTERACTIVE_MS = 1000;

if (!args.includes('--no-build')) {
  process.stdout.write('building web/dist ...\n');
  execFileSync('npm', ['run', 'build', '-w', '@shiftstack/web'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

// First-load assets: what index.html asks for before anything runs.
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [
  ...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((m) => m[1]!);
const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
const size = (files: string[]) =>
  files.reduce(
    (acc, f) => {
      const buf = readFileSync(join(dist, f.replace(/^\//, '')));
      return { raw: acc.raw + buf.length, gz: acc.gz + gzipSync(buf, { level: 9 }).length };
    },
    { raw: 0, gz: 0 },
  );
const js = size(scripts);
const css = size(styles);

const exe = CHROMIUM_PATH;
if (!existsSync(exe)) {
  console.error('Chromium is missing: apt-get install -y --no-install-recommends chromium');
  process.exit(1);
}

const api = await startFakeApi({ people: PEOPLE, days: DAYS, distDir: dist });
const browser = await launchChromium();

interface Sample {
  rendered: number;
  clickToDialog: number;
  interactive: number;
  /** Renderer main-thread CPU time (Chromium's ThreadTime, s -> ms) until interactive: work done, not time spent waiting for a core. */
  mainThread: number;
  script: number;
}
const samples: Sample[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.addInitScript((rowsWanted: number) => {
      const w = window as unknown as Record<string, number>;
      new MutationObserver((_, obs) => {
        if (!w.__seen && document.querySelectorAll('[role="row"]').length >= rowsWanted) {
          // Rows are in the DOM; the board is on screen once the next frame (style, layout, paint) is done.
          w.__seen = performance.now();
          requestAnimationFrame(() => setTimeout(() => (w.__ready = performance.now()), 0));
        }
        if (w.__clickAt && !w.__dialogAt && document.querySelector('dialog[open]')) {
          w.__dialogAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true, attributes: true });
      document.addEventListener('click', () => (w.__clickAt ||= performance.now()), true);
    }, PEOPLE + 2);
    await page.goto(`${api.url}/`, { waitUntil: 'commit' });
    await page.waitForFunction(() => ((window as unknown as Record<string, number>).__ready ?? 0) > 0, null, {
      timeout: 15_000,
    });
    await page.locator('.cell .add').first().click();
    await page.waitForFunction(
      () => ((window as unknown as Record<string, number>).__dialogAt ?? 0) > 0,
      null,
      {
        timeout: 15_000,
      },
    );
    const t = await page.evaluate(() => {
      const w = window as unknown as Record<string, number>;
      return { ready: w.__ready!, click: w.__clickAt!, dialog: w.__dialogAt! };
    });
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    samples.push({
      rendered: t.ready,
      clickToDialog: t.dialog - t.click,
      interactive: t.ready + (t.dialog - t.click),
      mainThread: metric('ThreadTime'),
      script: metric('ScriptDuration'),
    });
    await context.close();
  }
} finally {
  await browser.close();
  await api.close();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);
const fmt = (n: number) => n.toFixed(0).padStart(6);
const kb = (n: number) => (n / 1024).toFixed(1);
const rendered = samples.map((s) => s.rendered);
const interactive = samples.map((s) => s.interactive);
const click = samples.map((s) => s.clickToDialog);
const mainThread = samples.map((s) => s.mainThread);
const script = samples.map((s) => s.script);

console.log(
  `\nWeb budget (${new Date().toISOString()}, ${runs} cold runs, headless Chromium ${browser.version()})`,
);
console.log(
  `Machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (every number here stretches when other work shares the cores)`,
);
console.log(
  `Data: fake API (bench/web/fake-api.ts) serving web/dist + ${PEOPLE} people x ${DAYS} days = ${PEOPLE * DAYS} shifts; not the real services.\n`,
);
console.log('| measure                                   |   value | budget  | ok |');
console.log('|-------------------------------------------|---------|---------|----|');
console.log(
  `| first-load JS, gzipped (${scripts.length} file)            | ${kb(js.gz).padStart(5)} KB | ${BUDGET_JS_KB} KB  | ${js.gz <= BUDGET_JS_KB * 1024 ? 'ok' : 'NO'} |`,
);
console.log(`| first-load JS, raw                        | ${kb(js.raw).padStart(5)} KB |         |    |`);
console.log(`| CSS, gzipped                              | ${kb(css.gz).padStart(5)} KB |         |    |`);
console.log(`| board rendered, median (ms from nav)      |  ${fmt(median(rendered))} |         |    |`);
console.log(`| click -> dialog open, median (ms)         |  ${fmt(median(click))} |         |    |`);
console.log(
  `| interactive, median (rendered + click, ms) |  ${fmt(median(interactive))} | ${BUDGET_INTERACTIVE_MS} ms | ${median(interactive) <= BUDGET_INTERACTIVE_MS ? 'ok' : 'NO'} |`,
);
console.log(`| main-thread CPU time, median (ms)          |  ${fmt(median(mainThread))} |         |    |`);
console.log(`| time in JavaScript (wall), median (ms)     |  ${fmt(median(script))} |         |    |`);
console.log(`| interactive, worst of ${runs} (ms)              |  ${fmt(max(interactive))} |         |    |`);
const failed = js.gz > BUDGET_JS_KB * 1024 || median(interactive) > BUDGET_INTERACTIVE_MS;
process.exitCode = failed ? 1 : 0;
