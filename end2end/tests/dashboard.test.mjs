// The live dashboard: with marketing's dashboard open on one phone, a lead submitted on
// another raises the lead count within a second, without a reload. Also the hero board and
// the promoter's own numbers, at phone and desktop widths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, phoneContext, open, signIn, assertNoErrors, submitThroughLink, freshPhone, BASE, SHOTS } from './helpers.mjs';

const browser = useBrowser();

test('a lead submitted elsewhere shows on the open dashboard within a second', async () => {
  const marketing = await phoneContext(browser());
  const page = await marketing.newPage();
  await signIn(page, 'marketing@demo.allhands.cn');
  await open(page, '/dashboard?range=today');
  await page.getByTestId('live-status').filter({ hasText: '实时' }).waitFor();
  const leads = page.getByTestId('kpi-leads');
  const before = Number(await leads.innerText());

  await submitThroughLink(browser(), `${BASE}/c/winter-home`, '看板客户', freshPhone());
  const submitted = Date.now();
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="kpi-leads"]')?.textContent) === n,
    before + 1,
    { timeout: 5_000, polling: 20 },
  );
  const elapsed = Date.now() - submitted;
  assert.ok(elapsed < 1000, `the count moved ${elapsed} ms after the thank-you page`);
  assert.equal(page.url(), `${BASE}/dashboard?range=today`, 'no reload, no navigation');
  await page.getByTestId('funnel').waitFor();
  await page.getByTestId('trend').waitFor();
  await page.screenshot({ path: `${SHOTS}/dashboard-phone.png`, fullPage: true });
  assertNoErrors(marketing);
  await marketing.close();

  const desktop = await browser().newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const wide = await desktop.newPage();
  await signIn(wide, 'marketing@demo.allhands.cn');
  await open(wide, '/dashboard?range=month');
  await wide.getByTestId('kpis').waitFor();
  await wide.screenshot({ path: `${SHOTS}/dashboard-desktop.png`, fullPage: true });
  await desktop.close();
});

test('staff see the hero board; a promoter sees their own numbers', async () => {
  const employee = await phoneContext(browser());
  const page = await employee.newPage();
  await signIn(page, 'employee@demo.allhands.cn');
  await page.waitForURL('**/me');
  await page.getByTestId('my-numbers').waitFor();
  assert.match(await page.getByTestId('shares-brought').innerText(), /你本月的分享带来了 \d+ 条线索/);
  await page.screenshot({ path: `${SHOTS}/my-numbers.png`, fullPage: true });
  await open(page, '/heroes');
  await page.getByTestId('heroes-monthly').waitFor();
  await page.getByTestId('heroes-quarterly').waitFor();
  await page.screenshot({ path: `${SHOTS}/heroes.png`, fullPage: true });
  assertNoErrors(employee);
  await employee.close();
});
