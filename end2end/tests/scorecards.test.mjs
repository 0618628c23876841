// The manager scores a marketing member on a phone (the demo's administrator manages 李娜):
// a target, three scores each with a concrete example (an empty one is refused, naming it),
// the card explained line by line; then the member sees the card on her phone and
// acknowledges it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signedInPhone, open, assertNoErrors, call, SHOTS } from './helpers.mjs';

const browser = useBrowser();

test('scorecards: a manager scores a member on a phone, the member acknowledges it', async () => {
  // Two months ago in Asia/Shanghai: its figures froze on the 5th of last month.
  const now = new Date(Date.now() + 8 * 3600_000);
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 10)).toISOString().slice(0, 7);
  // Two deals in the demo campaign that month.
  const [sales, salesPage] = await signedInPhone(browser(), 'sales@demo.allhands.cn');
  const tag = Date.now() % 1_000_000;
  for (const [i, amount] of ['20000', '10000'].entries()) {
    await call(salesPage, 'record_deal', {
      'deal[order_no]': `SC-${tag}-${i}`,
      'deal[customer_phone]': `1392${String(tag).padStart(6, '0')}${i}`,
      'deal[amount]': amount,
      'deal[signed_on]': `${month}-10`,
      'deal[campaign_id]': '1',
    });
  }
  await sales.close();

  const [context, page] = await signedInPhone(browser(), 'admin@demo.allhands.cn');
  await open(page, '/scorecards');
  await page.getByTestId('team-period').selectOption(month);
  const row = page.getByTestId('team-row').filter({ hasText: '李娜' });
  await row.getByRole('button').click();
  await page.getByTestId('score-form').waitFor();
  // The month's sales target: ¥50,000 (the only target, so it carries all 60 points).
  await page.getByText(/设定目标/).click();
  await page.getByTestId('target-sales').fill('50000');
  await page.getByTestId('target-save-sales').click();
  const sales60 = page.getByTestId('line-sales').getByTestId('line-points');
  await page.waitForFunction(() => document.querySelector('[data-testid="line-sales"] [data-testid="line-points"]')?.textContent?.match(/\d/));
  const points = Number(await sales60.innerText());
  assert.ok(points >= 36, `¥30,000 or more of ¥50,000 × 60: ${points}`);
  assert.match(await page.getByTestId('line-sales').innerText(), /¥50,000\.00/);

  // Three scores; the example for execution left empty is refused, naming it.
  await page.getByTestId('score-innovation').fill('80');
  await page.getByTestId('example-innovation').fill('冬季焕新活动首创老客带新直播，线索成本降低 20%');
  await page.getByTestId('score-collaboration').fill('70');
  await page.getByTestId('example-collaboration').fill('与销售部联合跟进 12 条高意向线索');
  await page.getByTestId('score-execution').fill('90');
  await page.getByTestId('score-submit').click();
  const refused = page.getByTestId('score-form').getByTestId('error');
  await refused.waitFor();
  assert.match(await refused.innerText(), /执行力的具体案例/);
  assert.match(await refused.innerText(), /须附具体案例/);
  await page.getByTestId('example-execution').fill('活动方案提前 3 天上线');
  await page.getByTestId('score-submit').click();
  await page.getByTestId('scored').waitFor();
  const total = (await page.getByTestId('scored').innerText()).match(/([\d.]+)/)[1];
  // 80% of 15 + 70% of 10 + 90% of 15 = 32.50 on top of the figures.
  assert.equal(Number(total).toFixed(2), (points + 32.5).toFixed(2));
  await page.getByTestId('scorecard-score').filter({ hasText: total }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'nothing wider than the phone');
  await page.screenshot({ path: `${SHOTS}/scorecard-manager-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${SHOTS}/scorecard-team-desktop.png`, fullPage: true });
  assertNoErrors(context, { allow: [/status of 422/] });
  await context.close();

  // The member, on her phone: the card with each line's figures, and the acknowledgement.
  const [mine, minePage] = await signedInPhone(browser(), 'marketing@demo.allhands.cn');
  await open(minePage, '/me/scorecard');
  await minePage.getByTestId('scorecard-period').selectOption(month);
  await minePage.getByTestId('scorecard-score').filter({ hasText: total }).waitFor();
  assert.match(await minePage.getByTestId('line-execution').innerText(), /活动方案提前 3 天上线/);
  assert.match(await minePage.getByTestId('line-sales').innerText(), /负责活动的 \d+ 笔成交/);
  assert.match(await minePage.getByTestId('acknowledge').innerText(), /请在 \d{4}-\d\d-\d\d 前确认/);
  await minePage.screenshot({ path: `${SHOTS}/scorecard-member-phone.png`, fullPage: true });
  await minePage.getByTestId('acknowledge-button').click();
  await minePage.getByTestId('acknowledged').waitFor();
  assert.equal(await minePage.getByTestId('acknowledge').count(), 0);
  assertNoErrors(mine);
  await mine.close();
});
