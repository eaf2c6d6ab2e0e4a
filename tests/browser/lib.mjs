// Shared helpers for the browser scenarios: launch the system Chromium the
// way this machine needs, run axe-core, check reflow at 320 px.
import { chromium } from 'playwright-core';
import { readFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function launch() {
  const dir = mkdtempSync(join(tmpdir(), 'listserv-chromium-'));
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// newContext gives a fresh browser (own cookies); js:false turns scripts off.
export async function newBrowser({ js = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'listserv-chromium-'));
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    javaScriptEnabled: js,
    bypassCSP: true, // axe-core is injected as a script; our CSP rightly forbids that
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// axe runs the WCAG 2.1 AA rule set and returns the violations, briefly.
// It is evaluated as a string so it also runs on pages with JavaScript off.
export async function axe(page) {
  const res = await page.evaluate(`(() => { ${axeSource};
    return axe.run(document, { runOnly: { type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }); })()`);
  return res.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
}

// reflow reports whether the page fits 320 CSS px without sideways scrolling.
export async function reflow(page) {
  const old = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (old) await page.setViewportSize(old);
  return { width, ok: width <= 324 };
}

// audit checks one page: axe violations and reflow, keyed by a name.
export async function audit(page, name, report) {
  const violations = await axe(page);
  const rf = await reflow(page);
  report.pages.push({ name, url: page.url(), violations, reflow: rf });
}
