// Audits pages whose markup the Go test fetched itself (pages behind a
// sign-in): each is loaded into a page with JavaScript on and audited
// (axe-core WCAG 2.1 AA, reflow at 320 px).
// args: { pages: [{ name, html }] }
export default async function (args, lib) {
  const report = { pages: [] };
  const b = await lib.newBrowser({ js: true });
  const page = await b.newPage();
  for (const p of args.pages) {
    await page.setContent(p.html, { waitUntil: 'load' });
    await lib.audit(page, p.name, report);
  }
  return report;
}
