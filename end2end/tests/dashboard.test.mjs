// The live dashboard: with marketing's dashboard open on one phone, a lead submitted on
// another raises the lead count within a second, without a reload. Also the hero board and
// the promoter's own numbers, at phone and desktop widths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, phoneContext, open, signIn, signedInPhone, assertNoErrors, submitThroughLink, freshPhone, BASE, SHOTS } from './helpers.mjs';

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

test('after a burst of 500 submissions the open dashboard shows every one, and a recount agrees', async () => {
  const [marketing, page] = await signedInPhone(browser(), 'marketing@demo.allhands.cn');
  await open(page, '/dashboard?range=today');
  await page.getByTestId('live-status').filter({ hasText: '实时' }).waitFor();
  const before = Number(await page.getByTestId('kpi-leads').innerText());
  // 500 prospects, each from their own address behind the load balancer (a trusted proxy).
  const base = Date.now() % 10_000_000;
  let acknowledged = 0;
  for (let batch = 0; batch < 10; batch++) {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => {
      const n = batch * 50 + i;
      return fetch(`${BASE}/c/winter-home/lead`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: BASE, 'X-Forwarded-For': `10.9.${n >> 8}.${n & 255}` },
        body: new URLSearchParams({ name: '批量客户', phone: `137${String(base * 1000 + n).slice(-8).padStart(8, '0')}`, consent: '1' }),
      });
    }));
    acknowledged += answers.filter((r) => r.status === 303).length;
  }
  assert.equal(acknowledged, 500, 'every submission acknowledged');
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="kpi-leads"]')?.textContent) === n,
    before + 500,
    { timeout: 10_000, polling: 50 },
  );
  // The counters the figure came from equal a recount from the raw facts.
  const admin = await browser().newContext();
  const adminPage = await admin.newPage();
  await signIn(adminPage, 'admin@demo.allhands.cn');
  const corrected = await adminPage.evaluate(async () => {
    const res = await fetch('/api/recount_dashboard', { method: 'POST', headers: { Accept: 'application/json' } });
    return res.json();
  });
  assert.equal(corrected, 0, 'a recount corrected nothing');
  await page.reload();
  await page.waitForSelector('body[data-hydrated="true"]');
  assert.equal(Number(await page.getByTestId('kpi-leads').innerText()), before + 500);
  // Marketing clears the burst from the review queue in one decision: 500 counts move from
  // pending to invalid, and the recount still agrees.
  const reviewed = await page.evaluate(async () => {
    const post = (path, body) => fetch(path, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    }).then((r) => r.json());
    let done = 0;
    // The queue shows the oldest 500 awaiting review: take the burst's as they come up.
    for (let round = 0; round < 5; round++) {
      const queue = await post('/api/review_queue', '');
      const ids = queue.filter((r) => r.lead.name === '批量客户').map((r) => r.lead.id);
      if (ids.length === 0) break;
      const body = new URLSearchParams(ids.map((id, i) => [`ids[${i}]`, String(id)]));
      body.append('decision', 'invalid');
      body.append('note', '压测');
      done += await post('/api/review_leads', body.toString());
    }
    return done;
  });
  assert.equal(reviewed, 500);
  const again = await adminPage.evaluate(async () => {
    const res = await fetch('/api/recount_dashboard', { method: 'POST', headers: { Accept: 'application/json' } });
    return res.json();
  });
  assert.equal(again, 0, 'the review moved the counts exactly');
  assertNoErrors(marketing);
  await admin.close();
  await marketing.close();
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
