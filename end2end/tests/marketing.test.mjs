// Marketing on a phone: a campaign whose copy holds 最 / 第一 is refused at publishing with the
// words named; clean copy publishes. The lead rules page saves the policy and keeps bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// Refusals answer 422 on purpose; the browser logs those.
import { useBrowser, phoneContext, open, signIn, assertNoErrors, SHOTS } from './helpers.mjs';

const browser = useBrowser();

test('a campaign with extreme words cannot be published; the error names them', async () => {
  const context = await phoneContext(browser());
  const page = await context.newPage();
  await signIn(page, 'marketing@demo.allhands.cn');
  await open(page, '/campaigns');
  await page.getByTestId('new-campaign').click();
  const slug = `e2e-${Date.now() % 1_000_000}`;
  await page.getByTestId('campaign-name').fill(`春季厨房节 ${slug}`);
  await page.getByTestId('campaign-slug').fill(slug);
  await page.getByTestId('campaign-product').fill('整体橱柜');
  await page.getByTestId('campaign-points').fill('免费量尺\n环保板材');
  await page.getByTestId('campaign-copy').fill('全城最低价，销量第一');
  await page.getByTestId('campaign-tags').fill('橱柜\n台面');
  await page.getByTestId('campaign-starts').fill('2026-01-01');
  await page.getByTestId('campaign-ends').fill('2030-12-31');
  await page.getByTestId('campaign-save').click();
  await page.getByTestId('campaign-saved').waitFor();
  const row = page.getByTestId('campaign-row').filter({ hasText: slug });
  await row.getByTestId('publish').click();
  const error = page.getByTestId('error');
  await error.waitFor();
  const text = await error.innerText();
  assert.match(text, /不能发布/);
  assert.match(text, /落地页文案「最低价」/);
  assert.match(text, /销量第一/);
  await page.screenshot({ path: `${SHOTS}/campaign-refused.png`, fullPage: true });
  // Typed text is kept; clean it and publish.
  assert.equal(await page.getByTestId('campaign-copy').inputValue(), '全城最低价，销量第一');
  await page.getByTestId('campaign-copy').fill('老朋友推荐，首单立减');
  await page.getByTestId('campaign-save').click();
  await row.getByTestId('publish').click();
  await page.getByTestId('published').waitFor();
  await row.getByTestId('publish').waitFor({ state: 'detached' });
  assertNoErrors(context, { allow: [/status of 422/] });
  await context.close();
});

test('lead rules: a bad window is named and kept; a good one saves', async () => {
  const context = await phoneContext(browser());
  const page = await context.newPage();
  await signIn(page, 'marketing@demo.allhands.cn');
  await open(page, '/leads/settings');
  const days = page.getByTestId('protection-days');
  assert.equal(await days.inputValue(), '30');
  await days.fill('120');
  await page.getByTestId('policy-form').getByRole('button').click();
  const error = page.getByTestId('error');
  await error.waitFor();
  assert.match(await error.innerText(), /客户保护期（天）须为整数，范围：7–90/);
  assert.equal(await days.inputValue(), '120');
  await days.fill('30');
  await page.getByTestId('policy-form').getByRole('button').click();
  await page.getByTestId('policy-saved').waitFor();
  await page.getByTestId('campaign-assignment').first().waitFor();
  await page.screenshot({ path: `${SHOTS}/lead-settings.png`, fullPage: true });
  assertNoErrors(context, { allow: [/status of 422/] });
  await context.close();
});
