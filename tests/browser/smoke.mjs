// Audits pages that need no interaction: axe-core and reflow with
// JavaScript on (axe itself needs scripts), and that each page renders its
// heading with JavaScript off too.
// args: { base: "http://127.0.0.1:PORT", paths: ["/", "/login"],
//         urls: ["http://127.0.0.1:PORT2/digest.html"] (optional, audited as they are) }
export default async function (args, lib) {
  const report = { pages: [], nojs: [] };
  for (const js of [true, false]) {
    const b = await lib.newBrowser({ js });
    const page = await b.newPage();
    const targets = [...args.paths.map(p => [p, args.base + p]), ...(args.urls || []).map(u => [u, u])];
    for (const [path, url] of targets) {
      const resp = await page.goto(url);
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
