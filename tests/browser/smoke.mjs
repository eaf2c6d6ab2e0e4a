// Audits pages that need no interaction: axe-core and reflow with
// JavaScript on (axe itself needs scripts), and that each page renders its
// heading with JavaScript off too.
// args: { base: "http://127.0.0.1:PORT", paths: ["/", "/login"] }
export default async function (args, lib) {
  const report = { pages: [], nojs: [] };
  for (const js of [true, false]) {
    const b = await lib.newBrowser({ js });
    const page = await b.newPage();
    for (const path of args.paths) {
      const resp = await page.goto(args.base + path);
      if (!resp) throw new Error(`no response for ${path}`);
      if (js) {
        await lib.audit(page, `${path} (status ${resp.status()})`, report);
      } else {
        report.nojs.push({ path, h1: await page.locator('h1').first().innerText() });
      }
    }
    await b.close();
  }
  return report;
}
