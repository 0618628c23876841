// Marketing on a phone rewrites employees' rule as monthly marginal tiers in the form editor
// (no JSON), sees it explained and previewed, replays last quarter under it against what the
// rules in force paid, and publishes it from next month with a note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signedInPhone, open, assertNoErrors, call, SHOTS } from './helpers.mjs';

const browser = useBrowser();

test('rule editor: a tier rule written on a phone, replayed on last quarter, published from next month', async () => {
  // Last quarter's last month, in the organization's calendar (Asia/Shanghai).
  const now = new Date(Date.now() + 8 * 3600_000);
  const q0 = Math.floor(now.getUTCMonth() / 3) * 3;
  const last = new Date(Date.UTC(now.getUTCFullYear(), q0 - 1, 10));
  const month = last.toISOString().slice(0, 7);
  const quarter = `${last.getUTCFullYear()}-Q${Math.floor(last.getUTCMonth() / 3) + 1}`;
  // The employee's referral code, then three deals paid that month (sampled audits hold a few).
  const [staff, staffPage] = await signedInPhone(browser(), 'employee@demo.allhands.cn');
  const { referral_code: code } = await call(staffPage, 'load_my_rewards', {});
  await staff.close();
  const [sales, salesPage] = await signedInPhone(browser(), 'sales@demo.allhands.cn');
  const tag = Date.now() % 1_000_000;
  for (let i = 0; i < 3; i++) {
    const id = await call(salesPage, 'record_deal', {
      'deal[order_no]': `WI-${tag}-${i}`,
      'deal[customer_phone]': `1391${String(tag).padStart(6, '0')}${i}`,
      'deal[amount]': '10000',
      'deal[signed_on]': `${month}-05`,
      'deal[referral_code]': code,
    });
    await call(salesPage, 'record_payment', { deal_id: String(id), paid_on: `${month}-10`, amount: '10000', refund: 'false' });
  }
  await sales.close();

  const [context, page] = await signedInPhone(browser(), 'marketing@demo.allhands.cn');
  await open(page, '/rewards/rules');
  // Rule #1's version in force (an ended version has no edit button).
  const ruleOne = () => page.getByTestId('rules').getByRole('row').filter({ hasText: '1 v' }).filter({ has: page.getByTestId('rule-edit') }).first();
  assert.match(await ruleOne().innerText(), /按回款额 2% 计/);
  // Employees' rule (#1) into the form editor: no JSON anywhere on the page.
  await ruleOne().getByTestId('rule-edit').click();
  const editor = page.getByTestId('rule-editor');
  await editor.waitFor();
  assert.equal(await page.locator('textarea').count(), 0);
  assert.equal(await page.getByTestId('rule-rate').inputValue(), '2');
  // Rewritten as monthly marginal tiers: up to ¥20,000 at 3%, above at 5%.
  await page.getByTestId('rule-name').fill('员工月度阶梯提成');
  await page.getByTestId('rule-kind').selectOption({ label: '累进阶梯' });
  await page.getByTestId('rule-per').selectOption({ label: '每月' });
  await page.getByTestId('tier-a-0').fill('20000');
  await page.getByTestId('tier-b-0').fill('3');
  // Checked as it is typed: a wrong rate names its row, and nothing can be replayed from it.
  await page.getByTestId('tier-b-1').fill('5x');
  assert.match(await editor.getByTestId('rows-error').innerText(), /第 2 行/);
  await page.getByTestId('tier-b-1').fill('5');
  assert.equal(await editor.getByTestId('rows-error').count(), 0);
  const explained = await page.getByTestId('rule-explained').innerText();
  assert.match(explained, /员工推荐的首单，按每月累计回款额分段计：¥20,000\.00 以内的部分按 3%，超过 ¥20,000\.00 的部分按 5%/);
  // The preview's examples: ¥12,000 and ¥150,000 first orders (the ¥3,000 is a later order):
  // ¥20,000 × 3% + ¥142,000 × 5% = ¥7,700.
  assert.equal(await page.getByTestId('preview-total').innerText(), '¥7,700.00');
  await page.getByTestId('example-amount-2').fill('8000');
  assert.equal(await page.getByTestId('preview-total').innerText(), '¥600.00');
  await editor.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/rule-editor-phone.png`, fullPage: true });

  // Replayed on last quarter: the three ¥10,000 deals cost more under the tiers.
  await page.getByTestId('what-if-period').selectOption(quarter);
  await page.getByTestId('what-if-run').click();
  const result = page.getByTestId('what-if-result');
  await result.waitFor();
  const cost = await page.getByTestId('what-if-cost').innerText();
  const [before, after] = [...cost.matchAll(/¥([\d,]+\.\d\d)/g)].map((m) => Number(m[1].replaceAll(',', '')));
  assert.ok(after > before, cost);
  assert.ok(Number(await page.getByTestId('what-if-changed').innerText()) >= 1);
  const mover = page.getByTestId('what-if-movers').locator('li').first();
  // Nothing on the page is wider than the phone (a wide table once zoomed the page out, and
  // every click landed on what lay above its target).
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  await mover.locator('summary').click();
  assert.match(await mover.innerText(), /\d%/);
  await result.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/what-if-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${SHOTS}/what-if-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });

  // Published from the first day of next month (offered by default), with a note saying why.
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  assert.equal(await page.getByTestId('rule-starts-on').inputValue(), next);
  assert.match(await ruleOne().innerText(), /2%/, 'nothing was published by the replay');
  await page.getByTestId('rule-note').fill('试算后：员工提成下月起改为月度阶梯');
  await page.getByRole('button', { name: /发布为新版本|Publish as a new version/ }).click();
  await page.getByTestId('rule-saved').waitFor();
  const published = page.getByTestId('rules').getByRole('row').filter({ hasText: '试算后' });
  await published.waitFor();
  assert.match(await published.innerText(), new RegExp(next));
  assert.match(await published.innerText(), /李娜/);
  assert.match(await published.innerText(), /累进阶梯/);
  await published.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/rule-published-phone.png`, fullPage: true });

  // On a desktop, in English: a new first-order benefit of 10% up to ¥300, explained and
  // previewed on the example orders.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId('lang-switch').click();
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByTestId('rule-new').getByText('New rule').click();
  await page.getByTestId('rule-name').fill('10% off the first order');
  await page.getByTestId('rule-kind').selectOption({ label: 'New customer benefit' });
  await page.getByTestId('rule-rate').fill('10');
  await page.getByTestId('rule-amount').fill('300');
  assert.equal(
    await page.getByTestId('rule-explained').innerText(),
    'In words: A new customer referred by one of the employees gets 10% off the first order with the code, at most ¥300.00',
  );
  // ¥12,000 × 10% is above the cap; ¥800 × 10% is not (the second order is not a first order).
  await page.getByTestId('example-amount-2').fill('800');
  const offs = await page.getByTestId('preview-benefit').allInnerTexts();
  assert.deepEqual(offs, ['First order ¥12,000.00: ¥300.00 off', 'First order ¥800.00: ¥80.00 off']);
  await page.getByTestId('rule-editor').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/rule-editor-desktop-en.png`, fullPage: true });
  await page.getByTestId('lang-switch').click();
  assertNoErrors(context);
  await context.close();
});
