// axe-core on every page, in both languages, at a phone's 390 px and a desktop's 1280 px: no
// serious or critical violation. The staff's pages are opened by the demo accounts that may
// see them: each account's header lists its pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { useBrowser, open, signIn, BASE, PHONE } from './helpers.mjs';

const browser = useBrowser();
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PUBLIC = ['/', '/login', '/c/winter-home', '/c/winter-home/thanks', '/redeem'];
const ACCOUNTS = ['admin', 'marketing', 'sales', 'finance', 'employee', 'partner'];
const SIZES = [
  ['390px', PHONE],
  ['1280px', { viewport: { width: 1280, height: 900 } }],
];

/** The page's serious and critical violations, one line each. */
async function violations(page) {
  // Suspended parts settle shortly after hydration.
  await page.waitForTimeout(300);
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 80)}`).join(', ')}`);
}

for (const lang of ['zh-CN', 'en']) {
  for (const [size, device] of SIZES) {
    test(`no serious accessibility violation on any page: ${lang}, ${size}`, async () => {
      const found = [];
      const seen = new Set();
      const check = async (page, path) => {
        seen.add(path);
        await open(page, path);
        for (const v of await violations(page)) found.push(`${path}: ${v}`);
      };
      const context = await browser().newContext({ ...device, locale: lang });
      await context.addCookies([{ name: 'lang', value: lang, url: BASE }]);
      const page = await context.newPage();
      for (const path of PUBLIC) await check(page, path);
      await context.close();
      for (const account of ACCOUNTS) {
        const context = await browser().newContext({ ...device, locale: lang });
        await context.addCookies([{ name: 'lang', value: lang, url: BASE }]);
        const page = await context.newPage();
        await signIn(page, `${account}@demo.allhands.cn`);
        const links = await page.locator('header nav a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        const pages = links.filter((p) => p !== '/' && p !== '/login' && !p.startsWith('/lang/') && !seen.has(p));
        for (const path of pages) await check(page, path);
        await context.close();
      }
      assert.ok(seen.size >= 25, `only ${seen.size} pages visited: ${[...seen].join(' ')}`);
      assert.deepEqual(found, [], `accessibility violations (${lang}, ${size})`);
    });
  }
}
