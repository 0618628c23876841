// A customer story on a phone: the employee writes it with the customer's consent (without it,
// refused, naming the box), marketing approves it and publishes it to the content library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signedInPhone, open, assertNoErrors, SHOTS } from './helpers.mjs';

const browser = useBrowser();

test('customer stories: written with consent on a phone, approved and published by marketing', async () => {
  const [context, page] = await signedInPhone(browser(), 'employee@demo.allhands.cn');
  await open(page, '/stories');
  const customer = `赵女士${Date.now() % 10_000}`;
  await page.getByTestId('story-customer').fill(customer);
  await page.getByTestId('story-campaign').selectOption({ index: 1 });
  await page.getByTestId('story-text').fill('冬季焕新三天完成全屋软装，孩子最喜欢新的书房，邻居也来问了。');
  await page.getByTestId('story-submit').click();
  const refused = page.getByTestId('story-form').getByTestId('error');
  await refused.waitFor();
  assert.match(await refused.innerText(), /须经客户同意/);
  // What was typed is still there; with the box ticked it goes to marketing.
  assert.equal(await page.getByTestId('story-customer').inputValue(), customer);
  await page.getByTestId('story-consent').check();
  await page.getByTestId('story-submit').click();
  await page.getByTestId('story').filter({ hasText: customer }).waitFor();
  assert.match(await page.getByTestId('story').filter({ hasText: customer }).innerText(), /待审核/);
  await page.screenshot({ path: `${SHOTS}/story-phone.png`, fullPage: true });
  assertNoErrors(context, { allow: [/status of 422/] });
  await context.close();

  const [mctx, marketing] = await signedInPhone(browser(), 'marketing@demo.allhands.cn');
  await open(marketing, '/stories');
  const queued = marketing.getByTestId('story-queue').getByTestId('story').filter({ hasText: customer });
  await queued.getByTestId('story-approve').click();
  await queued.getByTestId('story-publish').click();
  await marketing.getByTestId('story-queue').getByTestId('story').filter({ hasText: customer }).filter({ hasText: '已发布到素材库' }).waitFor();
  await marketing.screenshot({ path: `${SHOTS}/story-review-phone.png`, fullPage: true });
  assertNoErrors(mctx);
  await mctx.close();
});
