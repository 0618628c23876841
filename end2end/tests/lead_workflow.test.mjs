// A lead's life on phones: the prospect submits through an employee's link; marketing marks it
// valid; the sales rep sees it with the first-contact countdown and marks it contacted; the
// employee sees the status change with the phone masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, phoneContext, open, signIn, assertNoErrors, submitThroughLink, SHOTS } from './helpers.mjs';

const browser = useBrowser();

test('submit → marketing marks valid → rep contacts → promoter sees it, masked', async () => {
  const employee = await phoneContext(browser());
  const ePage = await employee.newPage();
  await signIn(ePage, 'employee@demo.allhands.cn');
  await ePage.waitForURL('**/me');
  const link = await ePage.getByTestId('my-link').first().inputValue();

  const tail = String(Date.now() % 10000).padStart(4, '0');
  const phone = `1375555${tail}`;
  const name = `流程客户${tail}`;
  await submitThroughLink(browser(), link, name, phone);

  const marketing = await phoneContext(browser());
  const mPage = await marketing.newPage();
  await signIn(mPage, 'marketing@demo.allhands.cn');
  await open(mPage, '/review');
  const row = mPage.getByTestId('review-row').filter({ hasText: name });
  await row.waitFor();
  await mPage.screenshot({ path: `${SHOTS}/review.png`, fullPage: true });
  await row.getByTestId('mark-valid').click();
  await row.waitFor({ state: 'detached' });
  assertNoErrors(marketing);
  await marketing.close();

  const sales = await phoneContext(browser());
  const sPage = await sales.newPage();
  await signIn(sPage, 'sales@demo.allhands.cn');
  await open(sPage, '/follow-up');
  const lead = sPage.getByTestId('follow-up-row').filter({ hasText: name });
  await lead.waitFor();
  assert.match(await lead.getByTestId('countdown').innerText(), /首次联系剩余 2[34]小时\d+分/);
  await sPage.screenshot({ path: `${SHOTS}/follow-up.png`, fullPage: true });
  await lead.getByTestId('stage-contacted').click();
  await lead.getByTestId('stage').getByText('已联系').waitFor();
  assert.equal(await lead.getByTestId('countdown').count(), 0, 'no countdown once contacted');
  assertNoErrors(sales);
  await sales.close();

  await ePage.reload();
  await ePage.waitForSelector('body[data-hydrated="true"]');
  const mine = ePage.getByTestId('my-lead').filter({ hasText: name });
  await mine.waitFor();
  assert.equal(await mine.getByTestId('my-lead-phone').innerText(), `137****${tail}`);
  assert.equal(await mine.getByTestId('my-lead-status').innerText(), '有效');
  assert.equal(await mine.getByTestId('my-lead-stage').innerText(), '已联系');
  assert.ok(!(await ePage.content()).includes(phone), 'the full number never reaches the promoter');
  await ePage.screenshot({ path: `${SHOTS}/my-leads.png`, fullPage: true });
  assertNoErrors(employee);
  await employee.close();
});
