// The newsletter's pages in a real browser: a member submits an ask
// through /submit (choose, fill in, a refused form, preview, send) with
// every page audited (axe-core WCAG 2.1 AA and reflow at 320 px), then
// submits an offer the same way with JavaScript off; the editor opens
// the ask in the moderation queue, corrects and approves it, then opens
// the next issue's page, saves an introduction and opens the HTML
// preview. (Audits run with JavaScript on: axe is a script.)
// args: { base, memberLogin, memberLoginNoJS, editorLogin, next: "/newsletters/ID/next", title, offer }
export default async function (args, lib) {
  const report = { pages: [], results: [] };
  const t0 = Date.now();
  const step = (s) => console.error(`${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
  const status = async (page) => (await page.locator('[role=status], [role=alert]').first().innerText()).trim();
  const submit = async (p, kind, title, audit) => {
    await audit('submit: choose the kind');
    await p.getByLabel(kind, { exact: true }).check();
    await p.getByRole('button', { name: 'Continue' }).click();
    await audit('submit: the form');
    await p.getByLabel(/^What is (needed|offered) \(required\)$/).fill(title);
    await p.getByLabel('Closing date').fill('2020-01-31');
    await p.getByRole('button', { name: 'Preview' }).click();
    await audit('submit: a form with problems');
    report.results.push((await p.locator('[role=alert]').first().innerText()).trim());
    await p.getByLabel('Closing date').fill('');
    await p.getByLabel('How to respond').fill('Email ann@example.net');
    await p.getByRole('button', { name: 'Preview' }).click();
    await audit('submit: preview');
    await p.getByRole('button', { name: 'Send to the editors' }).click();
    await audit('submit: sent');
    report.results.push(await status(p));
  };

  const m = await lib.newBrowser({ js: true });
  const p = await m.newPage();
  await p.goto(args.base + args.memberLogin);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL('**/submit');
  step('member signed in');
  await submit(p, 'Ask', args.title, (name) => lib.audit(p, name, report));
  await m.close();
  step('ask submitted');

  const n = await lib.newBrowser({ js: false });
  const p2 = await n.newPage();
  await p2.goto(args.base + args.memberLoginNoJS);
  await p2.getByRole('button', { name: 'Sign in' }).click();
  await p2.waitForURL('**/submit');
  await submit(p2, 'Offer', args.offer, async () => {});
  await n.close();
  step('offer submitted without JavaScript');

  const e = await lib.newBrowser({ js: true });
  const q = await e.newPage();
  await q.goto(args.base + args.editorLogin);
  await q.getByRole('button', { name: 'Sign in' }).click();
  await q.waitForURL('**/moderate');
  await q.getByRole('link', { name: 'Ask: ' + args.title }).click();
  await lib.audit(q, 'held newsletter item', report);
  await q.getByLabel('More detail').fill('For a workshop on 14 April.');
  await q.getByRole('button', { name: 'Save changes' }).click();
  report.results.push(await status(q));
  await q.getByRole('button', { name: 'Approve', exact: true }).click();
  report.results.push(await status(q));
  await q.goto(args.base + args.next);
  await lib.audit(q, 'next issue', report);
  await q.getByLabel('Introduction at the top of the next issue (optional)').fill('Hello, network.');
  await q.getByRole('button', { name: 'Save the introduction' }).click();
  report.results.push(await status(q));
  await q.getByRole('link', { name: 'Open the HTML version of this preview' }).click();
  await lib.audit(q, 'next issue, HTML preview', report);
  report.results.push(await q.locator('body').innerText());
  await e.close();
  step('editor done');
  return report;
}
