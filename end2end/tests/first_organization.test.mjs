// A real organization's first day, on a server of its own started with nothing set (no demo
// data): the setup link from the console creates the first administrator, who imports 500
// staff from a GB18030 CSV, changes the protection window and deactivates a departing
// employee, whose open session stops at once; an employee enters a payout account on a
// 390 px phone and finance finds it in the payout file; every step is in the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { useBrowser, phoneContext, assertNoErrors, SHOTS } from './helpers.mjs';

const browser = useBrowser();
const PORT = Number(process.env.ALLHANDS_E2E_ORG_PORT ?? 3919);
const ORG = `http://127.0.0.1:${PORT}`;
const DESKTOP = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 };
const ROOT = new URL('../..', import.meta.url).pathname;
let server;
let setupLink;

before(async () => {
  const bin = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug', 'server');
  const env = { ...process.env, DATABASE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'allhands-org-')), 'org.db')}`,
    LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`, LEPTOS_SITE_ROOT: 'target/site', LEPTOS_SITE_PKG_DIR: 'pkg', LEPTOS_OUTPUT_NAME: 'allhands' };
  delete env.ALLHANDS_DEMO_DATA;
  delete env.ALLHANDS_ADMIN_LOGIN;
  server = spawn(bin, [], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  setupLink = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no setup link on the console: ${out}`)), 60_000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/\S+\/setup\?token=\w+/);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
  });
});
after(() => server?.kill('SIGTERM'));

async function go(page, path) {
  await page.goto(path.startsWith('http') ? path : `${ORG}${path}`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
}

async function signIn(page, login, password) {
  await go(page, '/login');
  await page.getByTestId('login').fill(login);
  await page.getByTestId('password').fill(password);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('signed-in-user').waitFor({ timeout: 15_000 });
}

/** The one-time link an administrator issues for the person whose sign-in name is `login`. */
async function resetLink(page, login) {
  await findPerson(page, login);
  await page.locator(`[data-testid="user-row"][data-login="${login}"]`).getByTestId('user-reset').click();
  const link = page.getByTestId('reset-link');
  await link.waitFor();
  return link.innerText();
}

/** The people page, searched for `login` (it lists 200 people at most). */
async function findPerson(page, login) {
  await go(page, '/admin');
  await page.getByTestId('user-search').fill(login.replace('+86', ''));
  await page.getByTestId('user-search').press('Enter');
  await page.locator(`[data-testid="user-row"][data-login="${login}"]`).waitFor();
}

/** A phone that sets its password through `link`, signs in and stays signed in. */
async function staffPhone(link, login, password) {
  const context = await phoneContext(browser(), { baseURL: ORG });
  const page = await context.newPage();
  await go(page, link);
  await page.getByTestId('reset-password').fill(password);
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByTestId('reset-done').waitFor();
  await signIn(page, login, password);
  return [context, page];
}

function staffCsv(n) {
  let text = '工号,姓名,手机号,部门,角色,状态\r\n';
  for (let i = 0; i < n; i++) text += `E${String(i).padStart(4, '0')},员工${i},139${String(i).padStart(8, '0')},销售部,员工,在职\r\n`;
  return iconv.encode(text, 'gb18030');
}

test('first day of a real organization, from an empty database', async () => {
  const admin = await phoneContext(browser(), DESKTOP);
  const a = await admin.newPage();
  await go(a, setupLink);
  const setup = a.getByTestId('setup-form');
  await setup.getByLabel('显示名').fill('王总');
  await setup.getByLabel('邮箱（选填）').fill('owner@example.cn');
  await setup.getByLabel('密码').fill('owner-password');
  await setup.getByRole('button', { name: '创建' }).click();
  await a.getByTestId('setup-done').waitFor();
  await signIn(a, 'owner@example.cn', 'owner-password');
  assert.equal(await a.getByTestId('demo-badge').count(), 0, 'no demo');

  // Departments and a finance colleague, by hand.
  await go(a, '/admin');
  await a.getByTestId('department-name').fill('销售部');
  await a.getByTestId('department-name').press('Enter');
  await a.getByTestId('departments').getByText('销售部').waitFor();
  const form = a.getByTestId('new-user-form');
  await form.getByLabel('显示名').fill('财务 钱芳');
  await form.getByLabel('邮箱（选填）').fill('finance@example.cn');
  await form.getByLabel('密码').fill('finance-password');
  await form.getByLabel('财务').check();
  await form.getByRole('button', { name: '创建' }).click();
  await a.locator('[data-testid="user-row"][data-login="finance@example.cn"]').waitFor();

  // 500 staff from HR's GB18030 CSV: preview, then apply.
  await a.getByTestId('staff-file').setInputFiles({ name: '员工名单.csv', mimeType: 'text/csv', buffer: staffCsv(500) });
  await a.waitForFunction(() => !document.querySelector('[data-testid="staff-preview"]').disabled);
  await a.getByTestId('staff-preview').click();
  await a.getByTestId('staff-added-count').getByText('500').waitFor();
  await a.getByTestId('staff-apply').click();
  await a.getByTestId('staff-applied').waitFor();
  await findPerson(a, '+8613900000499');
  await a.screenshot({ path: `${SHOTS}/people-import-desktop.png`, fullPage: false });

  // The protection window, 30 → 14 days.
  await go(a, '/leads/settings');
  await a.getByTestId('protection-days').fill('14');
  await a.getByTestId('policy-form').getByRole('button').first().click();
  await a.getByTestId('policy-saved').waitFor();

  // An employee sets a password through the admin's link and enters a bank card on the phone.
  const [employee, e] = await staffPhone(await resetLink(a, '+8613900000001'), '13900000001', 'employee-password');
  await go(e, '/me/payout');
  await e.getByTestId('payout-method').selectOption('bank');
  await e.getByTestId('payout-holder').fill('员工一');
  await e.getByTestId('payout-number').fill('6222 0212 3456 7890 123');
  await e.getByTestId('payout-bank').fill('工商银行 北京分行');
  await e.getByTestId('payout-password').fill('employee-password');
  await e.getByTestId('payout-save').click();
  await e.getByTestId('payout-saved').waitFor();
  assert.match(await e.getByTestId('payout-account').innerText(), /\*\*\*\* 0123/);
  await go(e, '/me/rewards');
  const code = await e.getByTestId('referral-code').innerText();

  // Finance records a paid deal that the employee referred, drafts the month; an administrator
  // approves (four eyes); finance's payout file carries the card.
  const finance = await phoneContext(browser(), DESKTOP);
  const f = await finance.newPage();
  await signIn(f, 'finance@example.cn', 'finance-password');
  await go(f, '/deals');
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  await f.getByTestId('import-csv').fill(`order_no,customer_phone,amount,signed_on,due_on,referral_code,paid_on,paid_amount\nFO-1,13700001111,10000,${today},,${code},${today},10000`);
  await f.getByRole('button', { name: '导入' }).click();
  await f.getByTestId('import-report').waitFor();
  await go(a, '/deals');
  const deal = a.getByTestId('deal-row').filter({ hasText: 'FO-1' });
  await deal.waitFor();
  // One deal in ten is sampled for a call-back: marketing's role (the administrator's here).
  if (await deal.getByTestId('audit-verify').count()) {
    await deal.getByTestId('audit-verify').click();
    await deal.getByTestId('deal-audit').getByText('已核验').waitFor();
  }
  await go(f, '/settlement');
  await f.getByTestId('run-scope').selectOption('employee');
  await f.getByTestId('run-period').fill(today.slice(0, 7));
  await f.getByTestId('draft-run').click();
  const run = f.getByTestId('run-row').filter({ hasText: today.slice(0, 7) });
  await run.waitFor();
  await go(a, '/settlement');
  await a.getByTestId('run-row').filter({ hasText: today.slice(0, 7) }).getByTestId('run-approve').click();
  await a.getByTestId('run-row').filter({ hasText: today.slice(0, 7) }).getByTestId('run-status').getByText('已审批').waitFor();
  await go(f, '/settlement');
  const href = await run.getByTestId('export-bank').getAttribute('href');
  const file = await (await f.request.get(`${ORG}${href}`)).text();
  assert.match(file, /员工1,员工一,6222021234567890123,工商银行 北京分行,200\.00,/);

  // A departing employee with an open session is deactivated: the session stops at once.
  const [leaver, l] = await staffPhone(await resetLink(a, '+8613900000002'), '13900000002', 'leaver-password');
  await findPerson(a, '+8613900000002');
  const row = a.locator('[data-testid="user-row"][data-login="+8613900000002"]');
  await row.getByTestId('user-deactivate').click();
  await row.getByTestId('user-status').getByText('已停用').waitFor();
  await go(l, '/me');
  assert.equal(await l.getByTestId('signed-in-user').count(), 0);

  // Every step is in the audit log.
  await go(a, '/admin/audit');
  for (const action of ['setup.completed', 'department.created', 'user.created', 'lead_policy.changed', 'user.reset_link_issued',
    'payout_account.changed', 'deal.recorded', 'run.drafted', 'run.approved', 'payout.exported', 'user.deactivated']) {
    await a.getByTestId('audit-action').selectOption(action);
    await a.getByTestId('audit-filter').getByRole('button').click();
    await a.locator(`[data-testid="audit-row"][data-action="${action}"]`).first().waitFor({ timeout: 10_000 });
  }
  await a.getByTestId('audit-action').selectOption('lead_policy.changed');
  await a.getByTestId('audit-filter').getByRole('button').click();
  assert.match(await a.getByTestId('audit-row').first().innerText(), /protection_days: 30 → 14/);

  // The settings screen, on a desktop and on a phone: the minimum payout from next month.
  await go(a, '/admin/settings');
  const payout = a.locator('[data-testid="setting"][data-key="minimum_payout_fen"]');
  await payout.getByTestId('setting-input').fill('50');
  const next = new Date(Date.now() + 8 * 3600_000);
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + 1);
  await payout.getByTestId('setting-from').fill(next.toISOString().slice(0, 10));
  await payout.getByTestId('setting-save').click();
  await a.getByTestId('setting-saved').waitFor();
  await payout.getByText(`${next.toISOString().slice(0, 10)}: ¥50.00`).waitFor();
  await a.screenshot({ path: `${SHOTS}/settings-desktop.png`, fullPage: true });
  const adminPhone = await phoneContext(browser());
  const ap = await adminPhone.newPage();
  await signIn(ap, 'owner@example.cn', 'owner-password');
  await go(ap, '/admin/settings');
  await ap.getByTestId('setting').first().waitFor();
  await ap.screenshot({ path: `${SHOTS}/settings-phone.png`, fullPage: true });
  assertNoErrors(adminPhone);
  await adminPhone.close();

  assertNoErrors(admin);
  assertNoErrors(employee);
  assertNoErrors(finance);
  assertNoErrors(leaver, { allow: [/401/] });
  for (const c of [admin, employee, finance, leaver]) await c.close();
});
