// People and the audit log: an administrator (desktop) creates a person, who signs in on a
// phone; the administrator deactivates them and their open session stops working at once;
// both steps are in the audit log. Screenshots of the people, account and audit log pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, phoneContext, signedInPhone, signIn, open, assertNoErrors, SHOTS } from './helpers.mjs';

const browser = useBrowser();
const DESKTOP = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 };

test('admin creates a person, deactivates them, their session ends; the audit log shows both', async () => {
  const admin = await phoneContext(browser(), DESKTOP);
  const aPage = await admin.newPage();
  await signIn(aPage, 'admin@demo.allhands.cn');
  await open(aPage, '/admin');
  const login = `leaver-${Date.now()}@example.cn`;
  const form = aPage.getByTestId('new-user-form');
  await form.getByLabel('显示名').fill('离职 员工');
  await form.getByLabel('邮箱（选填）').fill(login);
  await form.getByLabel('密码').fill('leaver-password');
  await form.getByLabel('员工').check();
  await form.getByRole('button', { name: '创建' }).click();
  const row = aPage.locator(`[data-testid="user-row"][data-login="${login}"]`);
  await row.waitFor();
  assert.equal(await row.getByTestId('user-status').innerText(), '在职');

  // They sign in on a phone and see their promotion page.
  const leaver = await phoneContext(browser());
  const lPage = await leaver.newPage();
  await open(lPage, '/login');
  await lPage.getByTestId('login').fill(login);
  await lPage.getByTestId('password').fill('leaver-password');
  await lPage.getByTestId('sign-in').click();
  await lPage.getByTestId('signed-in-user').waitFor();
  await open(lPage, '/account');
  await lPage.getByTestId('session').first().waitFor();
  await lPage.screenshot({ path: `${SHOTS}/account-phone.png`, fullPage: true });

  await row.getByTestId('user-deactivate').click();
  await row.getByTestId('user-status').getByText('已停用').waitFor();
  await aPage.screenshot({ path: `${SHOTS}/people-desktop.png`, fullPage: true });

  // Their open session stops working at once.
  await open(lPage, '/me');
  assert.equal(await lPage.getByTestId('signed-in-user').count(), 0);

  await open(aPage, '/admin/audit');
  const deactivated = aPage.locator('[data-testid="audit-row"][data-action="user.deactivated"]').first();
  await deactivated.waitFor();
  assert.match(await deactivated.innerText(), /停用用户/);
  assert.match(await deactivated.innerText(), /active → inactive/);
  assert.equal(await aPage.locator('[data-testid="audit-row"][data-action="user.created"]').count() > 0, true);
  await aPage.screenshot({ path: `${SHOTS}/audit-desktop.png`, fullPage: true });
  // The CSV of what is on screen.
  const csv = await aPage.request.get(await aPage.getByTestId('audit-csv').evaluate((a) => a.href));
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /user\.deactivated/);
  assertNoErrors(admin);
  await admin.close();
  assertNoErrors(leaver, { allow: [/401/] });
  await leaver.close();

  // The same pages on a phone.
  const [phone, pPage] = await signedInPhone(browser(), 'admin@demo.allhands.cn');
  await open(pPage, '/admin');
  await pPage.getByTestId('users-table').waitFor();
  await pPage.screenshot({ path: `${SHOTS}/people-phone.png`, fullPage: true });
  await open(pPage, '/admin/audit');
  await pPage.getByTestId('audit-row').first().waitFor();
  await pPage.screenshot({ path: `${SHOTS}/audit-phone.png`, fullPage: true });
  assertNoErrors(phone);
  await phone.close();
});
