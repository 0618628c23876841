// Marketing on a phone replays last month under a draft of employees' rule (3% instead of 2%)
// and sees what it would have cost against what the rules in force paid, before publishing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signedInPhone, open, assertNoErrors, SHOTS } from './helpers.mjs';

const browser = useBrowser();

/** Calls a server function from the signed-in page; returns its JSON. */
async function call(page, name, fields) {
  return page.evaluate(async ([name, fields]) => {
    const res = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    if (!res.ok) throw new Error(`${name}: ${res.status} ${await res.text()}`);
    return res.json();
  }, [name, fields]);
}

test('what-if: a draft rule replayed on last month shows the cost change, line by line', async () => {
  // Last month, in the organization's calendar (Asia/Shanghai).
  const now = new Date(Date.now() + 8 * 3600_000);
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10));
  const month = last.toISOString().slice(0, 7);
  // The employee's referral code, then three deals paid last month (sampled audits hold a few).
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
  // Employees' rule (#1) into the editor, its rate raised to 3%.
  await page.getByTestId('rules').getByRole('row').filter({ hasText: '1 v' }).first().getByRole('button').click();
  const spec = page.getByTestId('rule-spec');
  const json = await spec.inputValue();
  assert.match(json, /"rate": "0\.02"/);
  await spec.fill(json.replace('"rate": "0.02"', '"rate": "0.03"'));
  await page.getByTestId('what-if-period').selectOption(month);
  await page.getByTestId('what-if-run').click();
  const result = page.getByTestId('what-if-result');
  await result.waitFor();
  const cost = await page.getByTestId('what-if-cost').innerText();
  // Each ¥10,000 deal: ¥200 under the rules in force, ¥300 with the draft.
  const [before, after] = [...cost.matchAll(/¥([\d,]+\.\d\d)/g)].map((m) => Number(m[1].replaceAll(',', '')));
  assert.ok(after > before && after - before >= 100, cost);
  assert.ok(Number(await page.getByTestId('what-if-changed').innerText()) >= 1);
  const mover = page.getByTestId('what-if-movers').locator('li').first();
  // Nothing on the page is wider than the phone (a wide table once zoomed the page out, and
  // every click landed on what lay above its target).
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  await mover.locator('summary').click();
  assert.match(await mover.innerText(), /3%/);
  await result.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/what-if-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${SHOTS}/what-if-desktop.png`, fullPage: true });
  // Nothing was published: the rule still reads 2%.
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '/rewards/rules');
  await page.getByTestId('rules').getByRole('row').filter({ hasText: '1 v' }).first().getByRole('button').click();
  const current = await page.getByTestId('rule-spec').inputValue();
  assert.match(current, /"rate": "0\.02"/);
  // Then published from the first day of next month, with a note saying why.
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  await page.getByTestId('rule-spec').fill(
    current.replace('"rate": "0.02"', '"rate": "0.03"').replace(/"effective_from": "[^"]+"/, `"effective_from": "${next}"`),
  );
  await page.getByTestId('rule-note').fill('试算后：员工提成下月起 3%');
  await page.getByRole('button', { name: /发布为新版本|Publish as a new version/ }).click();
  await page.locator('p.ok').waitFor();
  const published = page.getByTestId('rules').getByRole('row').filter({ hasText: '试算后' });
  await published.waitFor();
  assert.match(await published.innerText(), new RegExp(next));
  assert.match(await published.innerText(), /李娜/);
  await published.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/rule-published-phone.png`, fullPage: true });
  assertNoErrors(context);
  await context.close();
});
