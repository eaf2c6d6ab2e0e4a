// The moderation flows in a real browser: sign in with a login link, open
// the queue, approve one post and reject another with a reason, with
// JavaScript on and then off (plus a bulk action), auditing every page
// (axe-core WCAG 2.1 AA and reflow at 320 px) on the way.
// args: { base, loginJS, loginNoJS, approve: [a, c], reject: [b, d], reason,
//         html: "subject of an HTML-only post", audit: "/lists/ID/audit",
//         forbidden: "/lists/OTHER/audit" }
export default async function (args, lib) {
  const report = { pages: [], results: [], audit: '', emptyQueue: '', reload: {} };
  const status = async (page) => (await page.locator('[role=status]').first().innerText()).trim();

  // JavaScript on: audit every kind of page, approve one, reject one.
  const b = await lib.newBrowser({ js: true });
  const page = await b.newPage();
  await page.goto(args.base + args.loginJS);
  await lib.audit(page, 'sign-in confirmation', report);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/moderate');
  await lib.audit(page, 'queue', report);

  await page.getByRole('link', { name: args.html }).click();
  await lib.audit(page, 'held HTML post', report);
  await page.goto(args.base + '/moderate');
  await page.getByRole('link', { name: 'Subscription request' }).click();
  await lib.audit(page, 'held subscription request', report);

  await page.goto(args.base + '/moderate');
  await page.getByRole('link', { name: args.approve[0] }).click();
  await lib.audit(page, 'held post', report);
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  report.results.push(await status(page));
  await lib.audit(page, 'queue after an action', report);
  // Redirect after POST: the browser is on a GET page; reloading it asks
  // for that page again and shows the same outcome.
  const u = new URL(page.url());
  const again = await page.reload();
  report.reload = { path: u.pathname + u.search, method: again.request().method(), status: await status(page) };

  await page.getByRole('link', { name: args.reject[0] }).click();
  await page.getByLabel('Or write your own reason').fill(args.reason);
  await page.getByRole('button', { name: 'Reject and tell the sender' }).click();
  report.results.push(await status(page));

  for (const [name, path] of [['missing held item', '/moderate/999999'], ['audit of an unknown list', '/lists/nosuch.example.org/audit'],
    ['audit for a non-owner', args.forbidden]]) {
    const resp = await page.goto(args.base + path);
    await lib.audit(page, `${name} (status ${resp.status()})`, report);
  }

  // JavaScript off: the same flows, a canned reason, and a bulk action.
  const nojs = await lib.newBrowser({ js: false });
  const p2 = await nojs.newPage();
  await p2.goto(args.base + args.loginNoJS);
  await p2.getByRole('button', { name: 'Sign in' }).click();
  await p2.waitForURL('**/moderate');
  await p2.getByRole('link', { name: args.approve[1] }).click();
  await p2.getByRole('button', { name: 'Approve', exact: true }).click();
  report.results.push(await status(p2));
  await p2.getByRole('link', { name: args.reject[1] }).click();
  await p2.getByLabel('Reason', { exact: true }).selectOption({ index: 1 });
  await p2.getByRole('button', { name: 'Reject and tell the sender' }).click();
  report.results.push(await status(p2));
  for (const box of await p2.locator('input[name=id]').all()) await box.check();
  await p2.getByLabel('Action', { exact: true }).selectOption('approve');
  await p2.getByRole('button', { name: 'Apply to selected' }).click();
  report.results.push(await status(p2));
  report.emptyQueue = await p2.locator('main').innerText();
  await nojs.close();

  // Back with JavaScript: the empty queue and the audit log.
  await page.goto(args.base + '/moderate');
  await lib.audit(page, 'empty queue', report);
  await page.goto(args.base + args.audit);
  await lib.audit(page, 'audit log', report);
  report.audit = await page.locator('main').innerText();
  await b.close();
  return report;
}
