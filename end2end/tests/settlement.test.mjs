// From a won lead to the employee's paid statement, on phones: the rep records the deal and
// its payment; finance drafts the month, approves it, downloads the payout file and marks it
// paid; the employee sees the statement line by line and the "reward paid" notice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signedInPhone, open, assertNoErrors, freshPhone, submitThroughLink, BASE, SHOTS } from './helpers.mjs';

const browser = useBrowser();

test('won lead → deal → payment → finance drafts, approves, exports, pays → employee sees it', async () => {
  // A month of its own, so that repeated local runs do not meet a frozen run.
  const n = Date.now();
  const year = 2001 + (Math.floor(n / 1000) % 25);
  const month = String(1 + (Math.floor(n / 37) % 12)).padStart(2, '0');
  const period = `${year}-${month}`;
  const phone = freshPhone();
  const name = `成交客户${phone.slice(-4)}`;
  const order = `E2E-${n}`;

  const [employee, ePage] = await signedInPhone(browser(), 'employee@demo.allhands.cn');
  await ePage.waitForURL('**/me');
  const link = await ePage.getByTestId('my-link').first().inputValue();

  // The employee enters the bank card their reward goes to, on the phone, confirming with the
  // password; it shows masked. A wrong card number is named and what was typed stays.
  await open(ePage, '/me/payout');
  await ePage.getByTestId('payout-method').selectOption('bank');
  await ePage.getByTestId('payout-holder').fill('张伟');
  await ePage.getByTestId('payout-number').fill('6222 0212');
  await ePage.getByTestId('payout-bank').fill('招商银行 上海分行');
  await ePage.getByTestId('payout-password').fill('demo1234');
  await ePage.getByTestId('payout-save').click();
  assert.match(await ePage.getByTestId('error').innerText(), /银行卡号/);
  assert.equal(await ePage.getByTestId('payout-holder').inputValue(), '张伟');
  await ePage.getByTestId('payout-number').fill('6222 0212 3456 7890 123');
  await ePage.getByTestId('payout-password').fill('demo1234');
  await ePage.getByTestId('payout-save').click();
  await ePage.getByTestId('payout-saved').waitFor();
  assert.match(await ePage.getByTestId('payout-account').innerText(), /\*\*\*\* 0123/);
  await ePage.screenshot({ path: `${SHOTS}/payout-account-phone.png`, fullPage: true });

  await submitThroughLink(browser(), link, name, phone);

  const [marketing, mPage] = await signedInPhone(browser(), 'marketing@demo.allhands.cn');
  await open(mPage, '/review');
  const row = mPage.getByTestId('review-row').filter({ hasText: name });
  await row.getByTestId('mark-valid').click();
  await row.waitFor({ state: 'detached' });
  await marketing.close();

  // The rep wins the lead, records the deal from it and the payment.
  const [sales, sPage] = await signedInPhone(browser(), 'sales@demo.allhands.cn');
  await open(sPage, '/follow-up');
  const lead = sPage.getByTestId('follow-up-row').filter({ hasText: name });
  await lead.getByTestId('stage-won').click();
  await lead.getByTestId('stage').getByText('已成交').waitFor();
  await open(sPage, '/deals');
  await sPage.getByTestId('won-lead').filter({ hasText: name }).getByTestId('record-deal-for-lead').click();
  await sPage.getByTestId('deal-lead').waitFor();
  await sPage.getByTestId('deal-order-no').fill(order);
  await sPage.getByTestId('deal-amount-input').fill('12345.67');
  await sPage.getByTestId('deal-signed-on').fill(`${period}-02`);
  await sPage.getByTestId('deal-submit').click();
  const deal = sPage.getByTestId('deal-row').filter({ hasText: order });
  await deal.waitFor();
  assert.equal(await deal.getByTestId('deal-amount').innerText(), '¥12,345.67');
  await deal.getByTestId('payment-date').fill(`${period}-03`);
  await deal.getByTestId('payment-amount').fill('12345.67');
  await deal.getByTestId('record-payment').click();
  await deal.getByTestId('deal-collected').getByText('¥12,345.67').waitFor();
  await sPage.screenshot({ path: `${SHOTS}/deals.png`, fullPage: true });
  // One deal in ten is in the audit sample (a keyed hash with the organization's own secret):
  // its rewards wait until marketing verifies it.
  const sampled = (await deal.getByTestId('deal-audit').count()) > 0;
  assertNoErrors(sales);
  await sales.close();
  if (sampled) {
    const [auditor, aPage] = await signedInPhone(browser(), 'marketing@demo.allhands.cn');
    await open(aPage, '/deals');
    const audited = aPage.getByTestId('deal-row').filter({ hasText: order });
    await audited.getByTestId('audit-verify').click();
    await audited.getByTestId('deal-audit').getByText('已核验').waitFor();
    assertNoErrors(auditor);
    await auditor.close();
  }

  // Finance: draft, read, approve, export, mark paid.
  const [finance, fPage] = await signedInPhone(browser(), 'finance@demo.allhands.cn');
  await open(fPage, '/settlement');
  await fPage.getByTestId('run-scope').selectOption('employee');
  await fPage.getByTestId('run-period').fill(period);
  await fPage.getByTestId('draft-run').click();
  const run = fPage.getByTestId('run-row').filter({ hasText: period });
  await run.waitFor();
  assert.equal(await run.getByTestId('run-net').innerText(), '¥197.53');
  await run.getByTestId('run-open').click();
  const statement = fPage.getByTestId('statement').filter({ hasText: '员工 张伟' });
  await statement.waitFor();
  assert.match(await statement.getByTestId('statement-line').first().innerText(), new RegExp(`订单 ${order} 于 ${period}-03 回款 ¥12,345.67 的 2%`));
  assert.equal(await statement.getByTestId('statement-gross').innerText(), '¥246.91');
  assert.equal(await statement.getByTestId('statement-tax').innerText(), '¥49.38');
  // Four eyes: whoever drafted the run may not approve it; an administrator does.
  await run.getByTestId('run-approve').click();
  assert.match(await fPage.getByTestId('error').innerText(), /四眼原则/);
  const [admin, adminPage] = await signedInPhone(browser(), 'admin@demo.allhands.cn');
  await open(adminPage, '/settlement');
  const toApprove = adminPage.getByTestId('run-row').filter({ hasText: period });
  await toApprove.getByTestId('run-approve').click();
  await toApprove.getByTestId('run-status').getByText('已审批').waitFor();
  // Only finance marks money paid: the administrator is not offered it.
  assert.equal(await toApprove.getByTestId('run-paid').count(), 0);
  assertNoErrors(admin);
  await admin.close();
  await open(fPage, '/settlement');
  await run.getByTestId('run-status').getByText('已审批').waitFor();
  const href = await run.getByTestId('export-bank').getAttribute('href');
  const file = await fPage.request.get(`${BASE}${href}`);
  assert.equal(file.status(), 200);
  assert.match(await file.text(), /员工 张伟,张伟,6222021234567890123,招商银行 上海分行,246\.91,49\.38,197\.53,ALLHANDS-/);
  await fPage.screenshot({ path: `${SHOTS}/settlement.png`, fullPage: true });
  await run.getByTestId('run-paid').click();
  await run.getByTestId('run-status').getByText('已发放').waitFor();
  // The refused approval is logged by the browser as a failed request (409).
  assertNoErrors(finance, { allow: [/409/] });
  await finance.close();

  await open(ePage, '/me/rewards');
  const mine = ePage.getByTestId('statement').filter({ hasText: period });
  await mine.waitFor();
  assert.equal(await mine.getByTestId('statement-net').innerText(), '¥197.53');
  assert.match(await mine.getByTestId('statement-line').first().innerText(), new RegExp(order));
  assert.match(await ePage.getByTestId('notices').innerText(), new RegExp(`${period} 推广奖励 ¥197\\.53 已到账`));
  await ePage.screenshot({ path: `${SHOTS}/my-rewards.png`, fullPage: true });
  assertNoErrors(employee, { allow: [/422/] });
  await employee.close();
});
