// The owners' and site administrators' pages in a real browser: an owner
// changes settings and members with JavaScript on (at 1280 px and again
// at 390 px) and off; a site administrator creates and removes a list.
// Every page is audited (axe-core WCAG 2.1 AA, reflow at 320 px) and
// screenshotted at 390 and 1280 px into args.shots.
// args: { base, list, ownerJS, ownerNoJS, admin, shots }
export default async function (args, lib) {
  const report = { pages: [], results: [], shots: [], member: '', audit: '', phone: [] };
  const status = async (page) => (await page.locator('[role=status]').first().innerText()).trim();
  const shoot = async (page, name) => {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      const file = `${args.shots}/${name}-${width}.png`;
      await page.screenshot({ path: file, fullPage: true });
      report.shots.push(file);
      if (width === 390) {
        report.phone.push({ name, width: await page.evaluate(() => document.documentElement.scrollWidth) });
      }
    }
  };
  const settings = `${args.base}/lists/${args.list}/settings`;
  const members = `${args.base}/lists/${args.list}/members`;

  // JavaScript on.
  const b = await lib.newBrowser({ js: true });
  const page = await b.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(args.base + args.ownerJS);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/owners');
  await lib.audit(page, 'your lists', report);
  await page.getByRole('link', { name: 'settings' }).first().click();
  await lib.audit(page, 'settings', report);
  await shoot(page, 'settings');
  await page.getByLabel('Subject prefix').fill('[team]');
  await page.getByLabel('A moderator checks every message before it goes out').check();
  await page.getByLabel('Footer').fill('Team Talk, for the team.');
  await page.getByLabel('Days a held message waits').fill('9');
  await page.getByLabel('Messages in one digest').fill('25');
  await page.getByRole('button', { name: 'Save settings' }).click();
  report.results.push(await status(page));
  await lib.audit(page, 'settings saved', report);

  await page.goto(members);
  await lib.audit(page, 'members', report);
  await page.getByLabel(/Email addresses, one a line/).fill('Zoe Zed <zoe@example.org>\nyan@example.org');
  await page.getByLabel('Add them now: they have already agreed to join').check();
  await page.getByRole('button', { name: 'Add or invite' }).click();
  report.results.push(await status(page));
  await shoot(page, 'members');
  await page.getByLabel(/Find members/).fill('zoe');
  await page.getByRole('button', { name: 'Search' }).click();
  await lib.audit(page, 'members search', report);
  await page.getByRole('link', { name: 'zoe@example.org' }).click();
  await lib.audit(page, 'member', report);
  await shoot(page, 'member');
  await page.getByLabel('Role').selectOption('moderator');
  await page.getByLabel('Delivery').selectOption('digest');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  report.results.push(await status(page));
  report.member = await page.locator('dl').innerText();
  await page.getByRole('button', { name: 'Remove from the list' }).click();
  report.results.push(await status(page));
  await page.goto(`${args.base}/lists/${args.list}/audit`);
  await lib.audit(page, 'audit log', report);
  report.audit = await page.locator('main').innerText();
  await b.close();

  // JavaScript off: the same forms work.
  const nojs = await lib.newBrowser({ js: false });
  const p2 = await nojs.newPage();
  await p2.goto(args.base + args.ownerNoJS);
  await p2.getByRole('button', { name: 'Sign in' }).click();
  await p2.waitForURL('**/owners');
  await p2.goto(settings);
  await p2.getByLabel('Replies go to the person who wrote').check();
  await p2.getByRole('button', { name: 'Save settings' }).click();
  report.results.push(await status(p2));
  await p2.goto(members);
  await p2.getByLabel(/Email addresses, one a line/).fill('nojs@example.org');
  await p2.getByLabel('Add them now: they have already agreed to join').check();
  await p2.getByRole('button', { name: 'Add or invite' }).click();
  report.results.push(await status(p2));
  await nojs.close();

  // A site administrator creates and removes a list.
  const a = await lib.newBrowser({ js: true });
  const p3 = await a.newPage();
  await p3.setViewportSize({ width: 1280, height: 900 });
  await p3.goto(args.base + args.admin);
  await p3.getByRole('button', { name: 'Sign in' }).click();
  await p3.waitForURL('**/admin');
  await lib.audit(p3, 'site administration', report);
  await shoot(p3, 'admin');
  await p3.getByLabel('Address of the list').fill('news@lists.example.org');
  await p3.getByLabel('Name', { exact: true }).fill('News');
  await p3.getByRole('button', { name: 'Create the list' }).click();
  report.results.push(await status(p3));
  await p3.getByRole('link', { name: 'Remove news@lists.example.org' }).click();
  await lib.audit(p3, 'remove a list', report);
  await p3.getByLabel("Type the list's address to confirm").fill('news@lists.example.org');
  await p3.getByRole('button', { name: 'Remove the list' }).click();
  report.results.push(await status(p3));
  await p3.getByLabel('Site name').fill('Democracy Network Lists');
  await p3.getByRole('button', { name: 'Save the site settings' }).click();
  report.results.push(await status(p3));
  report.siteName = await p3.locator('header').innerText();
  await p3.goto(args.base + '/admin/audit');
  await lib.audit(p3, 'site audit log', report);
  report.siteAudit = await p3.locator('main').innerText();
  await a.close();
  return report;
}
