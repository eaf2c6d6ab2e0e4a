// Joining, preferences and leaving, driven like a person would, with
// JavaScript off (every form must work without it). The Go test
// (listserv/server/subscribe_browser_test.go) runs a helper server: GET
// /mail gives a link from a message in the SMTP sink, /post sends a list
// post and gives the copy's List-Unsubscribe URL, /check?step= checks the
// store. Every page is audited (axe-core WCAG 2.1 AA, reflow at 320 px):
// axe cannot run inside a page with JavaScript off, so each page's markup
// is loaded into an auditor page (JavaScript on) and audited there.
// args: { base, helper, who, ownerLink }
export default async function (args, lib) {
  const report = { pages: [], steps: [] };
  const helper = async (path) => {
    const r = await fetch(args.helper + path);
    const text = await r.text();
    if (!r.ok) throw new Error(`helper ${path}: ${text}`);
    return text;
  };
  const check = async (step) => { await helper('/check?step=' + step); report.steps.push(step); };
  const mailLink = (subject, re) =>
    helper(`/mail?to=${encodeURIComponent(args.who)}&subject=${encodeURIComponent(subject)}&re=${encodeURIComponent(re)}`);

  const ab = await lib.newBrowser({ js: true });
  const auditor = await ab.newPage();
  const auditAs = async (p, name) => {
    await auditor.setContent(await p.content(), { waitUntil: 'load' });
    await lib.audit(auditor, name, report);
    report.pages[report.pages.length - 1].url = p.url();
  };
  const b = await lib.newBrowser({ js: false });
  const page = await b.newPage();
  page.setDefaultTimeout(10000);
  const heading = (name) => page.getByRole('heading', { level: 1, name }).waitFor();
  const audit = (name) => auditAs(page, name);
  const open = async (url, name, status = 200) => {
    const resp = await page.goto(url);
    if (resp.status() !== status) throw new Error(`${url}: status ${resp.status()}, want ${status}`);
    await audit(`${name} (${status})`);
  };
  const press = (name) => page.getByRole('button', { name, exact: true }).click();

  // Home page, then the list's page and its form.
  await open(args.base + '/', 'home');
  await page.getByRole('link', { name: 'Team Talk' }).click();
  await heading('Team Talk');
  await audit('list page');
  await page.getByLabel('Your email address').fill(args.who);
  await page.getByLabel('Your name (optional)').fill('New Person');
  await press('Join Team Talk');
  await heading('Check your email');
  await audit('subscribe sent');
  await check('requested');

  // The confirmation link from the mail: a page with one button.
  await open(await mailLink('Confirm: join', 'https://lists\\.example\\.org/confirm/[a-z2-7]+'), 'confirm');
  await press('Yes, join the list');
  await heading('Welcome to Team Talk');
  await audit('confirm done');
  await check('joined');
  const unsubscribe = await helper('/post');

  // Preferences: /me offers a sign-in link, which signs in.
  await open(args.base + '/me', 'me signed out');
  await page.getByLabel('Your email address').fill(args.who);
  await press('Email me a sign-in link');
  await page.getByText('a sign-in link is on its way').waitFor();
  await audit('sign-in link sent');
  await open(await mailLink('Your sign-in link', 'https://lists\\.example\\.org/login/\\S+'), 'sign-in confirm');
  await press('Sign in');
  await heading('Your subscriptions');
  await audit('me');

  await page.getByLabel('One digest a week').check();
  await press('Save for Team Talk');
  await page.getByText('Saved: how you get Team Talk').waitFor();
  await audit('me after saving delivery');
  await check('weekly');

  await page.getByLabel('Send me the weekly newsletter').check();
  await page.getByLabel('Events').check();
  await page.getByLabel('Research', { exact: true }).check();
  await page.getByLabel('Plain text').check();
  await press('Save newsletter choices');
  await page.getByText('Saved: your newsletter choices').waitFor();
  await check('sections');

  await page.getByLabel('Organisation (optional)').fill('Democracy Lab');
  await page.getByLabel("Organisation's website").fill('https://lab.example.org');
  await page.getByLabel('Nation or region').selectOption('wales');
  await page.getByLabel('Main focus').selectOption('research');
  await page.getByLabel('Show my organisation in the directory').check();
  await press('Save profile');
  await page.getByText('Saved: your profile').waitFor();
  await check('profile');

  // The directory, filtered.
  await open(args.base + '/directory', 'directory');
  await page.getByLabel('Nation or region').selectOption('wales');
  await press('Show organisations');
  await page.getByRole('link', { name: 'Democracy Lab' }).waitFor();
  await audit('directory filtered');
  await open(args.base + '/directory?region=scotland', 'directory empty');
  await open(args.base + '/me/delete', 'delete account page');

  // Leaving through the delivered copy's List-Unsubscribe page.
  await open(unsubscribe, 'unsubscribe');
  await press('Unsubscribe');
  await heading('You have left Team Talk');
  await audit('unsubscribed');
  await check('left');
  await open(args.base + '/me', 'me after leaving');

  // Error pages: friendly, accessible, with a way on.
  await open(args.base + '/confirm/nosuchtoken', 'confirm link expired', 410);
  await open(args.base + '/lists/no.such.example.org', 'list not found', 404);
  await open(args.base + '/u/bad-token', 'bad unsubscribe link', 404);
  await open(args.base + '/me/leave/1', 'wrong method', 405);
  await b.close();

  // An owner's page, in a second browser.
  const ob = await lib.newBrowser({ js: false });
  const op = await ob.newPage();
  op.setDefaultTimeout(10000);
  await op.goto(args.ownerLink);
  await op.getByRole('button', { name: 'Sign in' }).click();
  await op.getByRole('heading', { level: 1, name: 'Who can join Team Talk' }).waitFor();
  await auditAs(op, 'owner: who can join');
  await op.getByLabel('Email addresses, one a line').fill('guest@example.org');
  await op.getByRole('button', { name: 'Send invitations' }).click();
  await op.getByText('Invitations sent: 1').waitFor();
  await auditAs(op, 'owner: invited');
  await ob.close();
  report.steps.push('owner');

  // The same public pages with JavaScript on.
  const jb = await lib.newBrowser({ js: true });
  const jp = await jb.newPage();
  for (const path of ['/', '/lists/team.lists.example.org', '/directory', '/me']) {
    await jp.goto(args.base + path);
    await lib.audit(jp, `${path} (JavaScript on)`, report);
  }
  await jb.close();
  await ab.close();
  return report;
}
