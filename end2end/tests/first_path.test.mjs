// The first path through the product: an employee shares a personal link; a prospect opens
// it on another phone and leaves details; marketing sees the lead attributed to the employee.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, phoneContext, open, signIn, assertNoErrors, freshPhone, SHOTS, BASE } from './helpers.mjs';

const browser = useBrowser();

async function employeeLink() {
  const employee = await phoneContext(browser());
  const page = await employee.newPage();
  await signIn(page, 'employee@demo.allhands.cn');
  await page.waitForURL('**/me');
  const link = await page.getByTestId('my-link').first().inputValue();
  assert.match(link, /\/r\/[2-9a-z]{10}$/);
  await page.getByTestId('copy-link').first().click();
  await page.getByText('已复制').first().waitFor();
  await page.screenshot({ path: `${SHOTS}/my-promotion.png`, fullPage: true });
  assertNoErrors(employee);
  await employee.close();
  return link;
}

async function marketingSees(name, promoter) {
  const marketing = await phoneContext(browser());
  const page = await marketing.newPage();
  await signIn(page, 'marketing@demo.allhands.cn');
  await page.waitForURL('**/leads');
  const row = page.getByTestId('lead-row').filter({ hasText: name });
  await row.waitFor();
  assert.equal((await row.getByTestId('lead-row-promoter').innerText()).trim(), promoter);
  await page.screenshot({ path: `${SHOTS}/leads.png`, fullPage: true });
  assertNoErrors(marketing);
  await marketing.close();
}

test('link → form → lead attributed to the employee (JavaScript on)', async () => {
  const link = await employeeLink();
  const prospect = await phoneContext(browser());
  const page = await prospect.newPage();
  const wasm = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(new URL(r.url()).pathname));
  await page.goto(link);
  await page.waitForLoadState('networkidle');
  // The page works as served: no wasm until the prospect starts filling the form.
  assert.equal(await page.locator('body').getAttribute('data-hydrate'), 'on-input');
  assert.deepEqual(wasm, [], 'wasm fetched before any input');
  await page.getByTestId('referrer').getByText('员工 张伟').waitFor();
  const name = `测试客户${Date.now() % 100000}`;
  await page.getByTestId('lead-name').fill(name);
  await page.waitForSelector('body[data-hydrated="true"]');
  assert.ok(wasm.length > 0, 'typing started the wasm');
  // What was typed while the page hydrated is still there.
  assert.equal(await page.getByTestId('lead-name').inputValue(), name);
  // Hydrated, the page checks the phone as the prospect leaves the field, by the server's rule.
  await page.getByTestId('lead-phone').fill('12345');
  await page.getByTestId('lead-phone').blur();
  assert.match(await page.getByTestId('error-phone').innerText(), /^手机号/);
  await page.getByTestId('lead-phone').fill(freshPhone());
  await page.getByTestId('lead-phone').blur();
  await page.getByTestId('error-phone').waitFor({ state: 'detached' });
  await page.getByText('改善型装修').click();
  await page.getByTestId('lead-consent').check();
  await page.screenshot({ path: `${SHOTS}/landing.png`, fullPage: true });
  await page.getByTestId('lead-submit').click();
  await page.getByTestId('thanks').waitFor();
  // The thank-you page has nothing to run.
  assert.equal(await page.locator('body').getAttribute('data-hydrate'), 'never');
  assertNoErrors(prospect);
  await prospect.close();
  await marketingSees(name, '员工 张伟');
});

test('the same flow with JavaScript disabled for the prospect; a bad phone keeps what was typed', async () => {
  const link = await employeeLink();
  const prospect = await phoneContext(browser(), { javaScriptEnabled: false });
  const page = await prospect.newPage();
  const res = await page.goto(link);
  assert.equal(res.status(), 200, `${page.url()}`);
  await page.screenshot({ path: `${SHOTS}/landing-nojs.png`, fullPage: true });
  await page.getByTestId('referrer').waitFor({ timeout: 5_000 });
  const name = `无脚本客户${Date.now() % 100000}`;
  await page.getByTestId('lead-name').fill(name);
  await page.getByTestId('lead-phone').fill('12345');
  await page.getByTestId('lead-note').fill('周末方便联系');
  await page.getByTestId('lead-consent').check();
  await page.getByTestId('lead-submit').click();
  // Refused: the field is named, everything typed is still there.
  const error = page.getByTestId('error-phone');
  await error.waitFor();
  assert.match(await error.innerText(), /^手机号/);
  assert.equal(await page.getByTestId('lead-name').inputValue(), name);
  assert.equal(await page.getByTestId('lead-phone').inputValue(), '12345');
  assert.equal(await page.getByTestId('lead-note').inputValue(), '周末方便联系');
  assert.equal(await page.getByTestId('lead-consent').isChecked(), true);
  await page.screenshot({ path: `${SHOTS}/landing-error-nojs.png`, fullPage: true });
  await page.getByTestId('lead-phone').fill('+86 139-0000-1234'.replace('0000', String(Date.now() % 10000).padStart(4, '0')));
  await page.getByTestId('lead-submit').click();
  await page.getByTestId('thanks').waitFor();
  await prospect.close();
  await marketingSees(name, '员工 张伟');
});

test('unknown personal link shows the friendly 404 page', async () => {
  const context = await phoneContext(browser());
  const page = await context.newPage();
  const res = await page.goto(`${BASE}/r/doesnotexist`);
  assert.equal(res.status(), 404);
  await page.getByTestId('not-found').getByText('推广链接无效').waitFor();
  await context.close();
});

test('language switch: zh-CN by default, English on request, and it persists', async () => {
  const context = await phoneContext(browser(), { locale: 'en-US' });
  const page = await context.newPage();
  await open(page, '/login');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await page.getByTestId('sign-in').getByText('登录').waitFor();
  await page.getByTestId('lang-switch').click();
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByTestId('sign-in').getByText('Sign in').waitFor();
  await page.reload();
  await page.waitForSelector('body[data-hydrated="true"]');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByTestId('sign-in').getByText('Sign in').waitFor();
  assertNoErrors(context);
  await context.close();
});

test('every page hydrates without console errors', async () => {
  const context = await phoneContext(browser());
  const page = await context.newPage();
  for (const path of ['/', '/login', '/c/winter-home', '/c/winter-home/thanks', '/nope']) {
    await open(page, path);
  }
  await signIn(page, 'admin@demo.allhands.cn');
  await page.waitForURL('**/admin');
  await page.getByTestId('users-table').waitFor();
  await page.screenshot({ path: `${SHOTS}/admin.png`, fullPage: true });
  for (const path of ['/admin', '/leads']) await open(page, path);
  // A 404 page logs its own failed load: everything else must be clean.
  const errors = context.errors.filter((e) => !(e.includes('/nope') && e.includes('404')));
  assert.deepEqual(errors, []);
  await context.close();
});
