// What a phone downloads to make a prospect's page interactive: each page opened in a fresh
// context of Debian's Chromium, every /pkg/ file it fetched, each counted at brotli quality 11
// (as served precompressed). The landing page works as served (its form posts without a
// script) and starts its wasm at the prospect's first input: `prospect_*` is what it fetched
// once loaded and idle, `prospect_on_input_*` what it fetched until hydrated after a tap on the
// form. The thank-you page runs nothing; code redemption hydrates once loaded. Also the main
// module and the largest wasm chunk of the build. Prints `key: value` lines for bench/bundle.sh.
import { readFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';
import { launch, PHONE, BASE } from '../tests/helpers.mjs';

const PKG = process.env.BENCH_PKG_DIR;
const brotliKb = (bytes) =>
  brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length / 1024;
const fileKb = (name) => brotliKb(readFileSync(join(PKG, name)));
const kb = (x) => x.toFixed(1);
const hydrated = (page) => page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });

// `interact`: what a person does before the figure is read (after the page's load and idle).
const PAGES = [
  { key: 'prospect', path: '/c/winter-home' },
  {
    key: 'prospect_on_input',
    path: '/c/winter-home',
    interact: async (page) => {
      await page.getByTestId('lead-name').click();
      await hydrated(page);
    },
  },
  { key: 'thanks', path: '/c/winter-home/thanks' },
  { key: 'redeem', path: '/redeem', interact: hydrated },
];

const browser = await launch();
const errors = [];
const figures = {};
for (const p of PAGES) {
  const context = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${p.path}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`${p.path}: ${m.text()}`));
  const fetched = new Set();
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/pkg/')) fetched.add(path.slice('/pkg/'.length));
  });
  await page.goto(`${BASE}${p.path}`);
  await page.waitForLoadState('networkidle');
  if (p.interact) {
    await p.interact(page);
    // Anything fetched right after hydration (a chunk the page asks for at once) counts too.
    await page.waitForLoadState('networkidle');
  }
  const files = [...fetched];
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  const js = files.filter((f) => f.endsWith('.js'));
  figures[`${p.key}_wasm_brotli_kb`] = kb(wasm.reduce((s, f) => s + fileKb(f), 0));
  figures[`${p.key}_js_brotli_kb`] = kb(js.reduce((s, f) => s + fileKb(f), 0));
  figures[`${p.key}_files`] = files.sort().join(' ');
  await context.close();
}
await browser.close();

const all = readdirSync(PKG).filter((f) => f.endsWith('.wasm'));
const sizes = all.map((f) => [f, fileKb(f)]).sort((a, b) => b[1] - a[1]);
figures.wasm_files = all.length;
figures.all_wasm_brotli_kb = kb(sizes.reduce((s, [, k]) => s + k, 0));
const main = all.find((f) => f.startsWith('allhands.'));
figures.main_wasm_brotli_kb = kb(fileKb(main));
figures.largest_chunk = sizes[0][0];
figures.largest_chunk_brotli_kb = kb(sizes[0][1]);
for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
for (const e of errors) console.log(`error: ${e}`);

const reasons = [];
if (Number(figures.prospect_wasm_brotli_kb) > 160) reasons.push(`landing page wasm ${figures.prospect_wasm_brotli_kb} KB > 160 KB`);
if (Number(figures.largest_chunk_brotli_kb) > 300) reasons.push(`largest chunk ${figures.largest_chunk_brotli_kb} KB > 300 KB`);
if (errors.length) reasons.push(`${errors.length} console or page errors`);
console.log(`verdict: ${reasons.length ? `fail (${reasons.join('; ')})` : 'pass'}`);
