// People and the audit log: an administrator (desktop) creates a person, who signs in on a
// phone; the administrator deactivates them and their open session stops working at once;
// both steps are in the audit log. Screenshots of the people, account and audit log pages.
// An API key made on the settings page opens the JSON API until it is revoked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, phoneContext, signedInPhone, signIn, open, assertNoErrors, SHOTS, BASE } from './helpers.mjs';

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

test('admin makes an API key; an order system pushes a deal with it until it is revoked', async () => {
  const admin = await phoneContext(browser(), DESKTOP);
  const page = await admin.newPage();
  await signIn(page, 'admin@demo.allhands.cn');
  await open(page, '/admin/settings');
  const card = page.getByTestId('api-keys');
  await card.getByLabel('用途名称').fill('ERP 订单同步');
  await card.getByLabel('推送成交').check();
  await card.getByRole('button', { name: '创建' }).click();
  const secret = await card.getByTestId('api-key-secret').innerText();
  assert.match(secret, /^ak_[0-9a-f]{48}$/);
  // The list tells keys apart by their first characters.
  const row = card.getByTestId('api-key').filter({ hasText: secret.slice(0, 11) });
  await row.waitFor();
  assert.match(await row.innerText(), /deals:write/);
  assert.doesNotMatch(await row.innerText(), new RegExp(secret), 'the list never shows the secret');
  await page.screenshot({ path: `${SHOTS}/api-keys-desktop.png`, fullPage: true });

  // The order system: no session, the key. An old order, so no current figure moves.
  const push = (key) => fetch(`${BASE}/api/v1/deals`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify([{ order_no: `ERP-${Date.now()}`, customer_phone: '13922228888', amount_fen: 10000, currency: 'CNY', signed_on: '2025-01-05' }]),
  });
  const res = await push(secret);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).created, 1);
  assert.equal((await push(null)).status, 401);
  await row.getByTestId('revoke-api-key').click();
  await row.getByText('已吊销').waitFor();
  assert.equal((await push(secret)).status, 401, 'revoked');
  assertNoErrors(admin);
  await admin.close();

  const [phone, pPage] = await signedInPhone(browser(), 'admin@demo.allhands.cn');
  await open(pPage, '/admin/settings');
  await pPage.getByTestId('api-key').first().waitFor();
  await pPage.getByTestId('api-keys').scrollIntoViewIfNeeded();
  await pPage.screenshot({ path: `${SHOTS}/api-keys-phone.png`, fullPage: true });
  assertNoErrors(phone);
  await phone.close();
});

test('admin registers a webhook endpoint; an event reaches it signed and shows as delivered', async () => {
  // The receiving system: records what it is sent.
  const http = await import('node:http');
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(204).end(); });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/allhands`;
  try {
    const admin = await phoneContext(browser(), DESKTOP);
    const page = await admin.newPage();
    await signIn(page, 'admin@demo.allhands.cn');
    await open(page, '/admin/settings');
    const card = page.getByTestId('webhooks');
    await card.getByLabel('接收地址（URL）').fill(url);
    await card.getByLabel('新成交').check();
    await card.getByRole('button', { name: '创建' }).click();
    assert.match(await card.getByTestId('webhook-secret').innerText(), /^whsec_/);
    const row = card.getByTestId('webhook').filter({ hasText: url });
    await row.waitFor();

    // An order system pushes a deal: the endpoint hears of it.
    await open(page, '/admin/settings');
    const keys = page.getByTestId('api-keys');
    await keys.getByLabel('用途名称').fill('webhook e2e');
    await keys.getByLabel('推送成交').check();
    await keys.getByRole('button', { name: '创建' }).click();
    const secret = await keys.getByTestId('api-key-secret').innerText();
    const res = await fetch(`${BASE}/api/v1/deals`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
      body: JSON.stringify([{ order_no: `WH-${Date.now()}`, customer_phone: '13922227777', amount_fen: 5000, currency: 'CNY', signed_on: '2025-01-06' }]),
    });
    assert.equal(res.status, 200);
    for (let i = 0; i < 100 && !received.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(received.length, 1, 'delivered once');
    assert.equal(JSON.parse(received[0].body).type, 'deal.created');
    assert.match(received[0].headers['webhook-signature'], /^v1,/);
    assert.match(received[0].headers['webhook-id'], /^msg_/);

    await open(page, '/admin/settings');
    const delivered = page.getByTestId('webhook').filter({ hasText: url }).getByTestId('webhook-delivery').first();
    await delivered.waitFor();
    assert.match(await delivered.innerText(), /deal\.created[\s\S]*已送达[\s\S]*HTTP 204/);
    await page.getByTestId('webhooks').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/webhooks-desktop.png`, fullPage: true });
    // Delivered again by hand: the same message id.
    await delivered.getByTestId('redeliver-webhook').click();
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(received[1].headers['webhook-id'], received[0].headers['webhook-id']);
    assertNoErrors(admin);
    await admin.close();

    const [phone, pPage] = await signedInPhone(browser(), 'admin@demo.allhands.cn');
    await open(pPage, '/admin/settings');
    await pPage.getByTestId('webhook').first().waitFor();
    await pPage.getByTestId('webhooks').scrollIntoViewIfNeeded();
    await pPage.screenshot({ path: `${SHOTS}/webhooks-phone.png`, fullPage: true });
    // The API reference, served by the binary itself.
    const ref = await pPage.goto(`${BASE}/api/v1/reference`);
    assert.match(ref.headers()['content-security-policy'], /style-src 'unsafe-inline'/);
    await pPage.getByRole('heading', { name: /Allhands API/ }).waitFor();
    await pPage.screenshot({ path: `${SHOTS}/api-reference-phone.png` });
    assertNoErrors(phone);
    await phone.close();
  } finally {
    server.close();
  }
});
