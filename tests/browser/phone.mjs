// The moderation pages on a phone (390 px wide): no sideways scrolling,
// every control inside the screen, every tap target (buttons, fields, and
// check boxes and radio buttons with their labels) at least 44 px each
// way, the first action on an item's page within the first screen, and
// the queue's column labels still shown; then an item is approved and the
// queue it redirects to is measured the same way. Every page is
// screenshotted at 390 and 1280 px into args.shots (moderation-NAME-WIDTH.png).
// args: { base, login, item, shots }
export default async function (args, lib) {
  const report = { pages: [], measures: [], shots: [], afterAction: '' };
  const shoot = async (name) => {
    for (const width of [1280, 390]) { // ends at the phone's width
      await page.setViewportSize({ width, height: 740 });
      const file = `${args.shots}/moderation-${name.replaceAll(" ", "-")}-${width}.png`;
      await page.screenshot({ path: file, fullPage: true });
      report.shots.push({ file, width, scroll: await page.evaluate(() => document.documentElement.scrollWidth) });
    }
  };
  const b = await lib.newBrowser({ js: true });
  const page = await b.newPage();
  await page.setViewportSize({ width: 390, height: 740 });
  await page.goto(args.base + args.login);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/moderate');
  const measure = async (name) => {
    await shoot(name);
    const m = await page.evaluate(() => {
      const vw = document.documentElement.clientWidth;
      const out = { scroll: document.documentElement.scrollWidth, vw, small: [], outside: [], firstAction: null, labels: [] };
      const box = (el) => {
        let r = el.getBoundingClientRect();
        if (el.type === 'checkbox' || el.type === 'radio') {
          const lab = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
          if (lab) {
            const l = lab.getBoundingClientRect();
            r = { left: Math.min(r.left, l.left), right: Math.max(r.right, l.right), top: Math.min(r.top, l.top),
              bottom: Math.max(r.bottom, l.bottom) };
          }
        }
        return { left: r.left, right: r.right, top: r.top + window.scrollY, w: r.right - r.left, h: r.bottom - r.top };
      };
      const name = (el) => `${el.tagName.toLowerCase()}[${el.name || el.id || el.type}] ${(el.innerText || el.value || el.getAttribute('aria-label') || '').slice(0, 30)}`;
      for (const el of document.querySelectorAll('main button, main select, main input:not([type=hidden]), main textarea, header button')) {
        const r = box(el);
        if (r.h < 43.5 || r.w < 43.5) out.small.push(`${name(el)} ${Math.round(r.w)}x${Math.round(r.h)}`);
        if (r.right > vw + 1 || r.left < -1) out.outside.push(`${name(el)} ${Math.round(r.left)}..${Math.round(r.right)}`);
        if (el.tagName === 'BUTTON' && out.firstAction === null && el.closest('main')) out.firstAction = r.top;
      }
      for (const td of document.querySelectorAll('main tbody td[data-label]')) {
        out.labels.push(getComputedStyle(td, '::before').content);
      }
      return out;
    });
    report.measures.push({ name, ...m });
    await lib.audit(page, `phone ${name}`, report);
  };
  await measure('queue');
  await page.goto(args.base + args.item);
  await measure('item');
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  const u = new URL(page.url());
  report.afterAction = u.pathname + u.search;
  await measure('queue after an action');
  await b.close();
  return report;
}
