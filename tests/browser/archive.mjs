// The web archive in a real browser: every archive page audited
// (axe-core WCAG 2.1 AA, reflow at 320 px), and a post carrying scripts,
// event handlers and remote images opened with the page's CSP bypassed,
// so only the sanitiser stands between the post and the reader: no script
// may run, no dialog open, and no request leave for another host.
// args: { base, paths: ["/lists/x/archive", ...], hostile: ["/lists/x/m/3?view=html", ...],
//         control: "http://other-host/control" (opened after the hostile pages) }
export default async function (args, lib) {
  const report = { pages: [], requests: [], ran: [], dialogs: [], nojs: [] };
  const b = await lib.newBrowser({ js: true });
  const page = await b.newPage();
  const origin = new URL(args.base).origin;
  page.on('request', (r) => { if (!r.url().startsWith(origin)) report.requests.push(r.url()); });
  page.on('dialog', async (d) => { report.dialogs.push(d.message()); await d.dismiss(); });
  for (const path of args.hostile) {
    const resp = await page.goto(args.base + path, { waitUntil: 'load' });
    await page.waitForTimeout(300); // give a timer-based script the chance it must not get
    report.ran.push({ path, status: resp.status(), ran: await page.evaluate(() => window.__ran || null) });
    await lib.audit(page, `${path} (status ${resp.status()})`, report);
  }
  // Positive control: a request to another host is seen.
  if (args.control) await page.goto(args.control);
  for (const path of args.paths) {
    const resp = await page.goto(args.base + path);
    await lib.audit(page, `${path} (status ${resp.status()})`, report);
  }
  await b.close();
  const nojs = await lib.newBrowser({ js: false });
  const p2 = await nojs.newPage();
  for (const path of args.paths) {
    await p2.goto(args.base + path);
    report.nojs.push({ path, h1: await p2.locator('h1').first().innerText() });
  }
  await nojs.close();
  return report;
}
