// The share poster on a phone: its pixels hold a QR code that a real decoder (jsQR) reads as
// the employee's own link with ch=poster; opening it lands on the campaign form, and the click
// is counted once on the employee's page and in the dashboard's poster channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, phoneContext, open, signIn, assertNoErrors, readPoster, SHOTS } from './helpers.mjs';

const browser = useBrowser();

async function clicks(page) {
  await open(page, '/me');
  return Number(await page.getByTestId('promo-card').first().getByTestId('stat-clicks').innerText());
}

test('poster QR → the employee link with ch=poster → the form; the click counts once', async () => {
  const employee = await phoneContext(browser());
  const page = await employee.newPage();
  await signIn(page, 'employee@demo.allhands.cn');
  await page.waitForURL('**/me');
  const before = await clicks(page);
  const card = page.getByTestId('promo-card').first();
  const link = await card.getByTestId('my-link').inputValue();
  await card.getByTestId('make-poster').click();
  await card.getByTestId('poster-img').waitFor();
  await page.screenshot({ path: `${SHOTS}/poster.png`, fullPage: true });
  const decoded = await readPoster(page);
  assert.deepEqual([decoded.width, decoded.height], [750, 1334]);
  assert.equal(decoded.text, `${link}?ch=poster`);
  assertNoErrors(employee);

  // Someone scans it.
  const prospect = await phoneContext(browser());
  const p = await prospect.newPage();
  await p.goto(decoded.text);
  await p.getByTestId('lead-form').waitFor();
  assert.match(await p.getByTestId('referrer').innerText(), /张伟/);
  await prospect.close();

  // Counted once: the click is stored a few milliseconds behind the redirect.
  let after = before;
  for (let i = 0; i < 20 && after === before; i++) {
    await new Promise((r) => setTimeout(r, 250));
    after = await clicks(page);
  }
  assert.equal(after, before + 1);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await clicks(page), before + 1, 'and only once');
  await employee.close();

  // Marketing sees the scan in the dashboard's poster channel.
  const marketing = await phoneContext(browser());
  const m = await marketing.newPage();
  await signIn(m, 'marketing@demo.allhands.cn');
  await open(m, '/dashboard?range=today');
  const poster = m.getByTestId('cut-channel').getByTestId('cut-row').filter({ hasText: '海报' });
  await poster.waitFor();
  assert.ok(Number(await poster.locator('td').first().innerText()) >= 1, 'a poster scan is a poster click');
  assertNoErrors(marketing);
  await marketing.close();
});
