// Shared helpers: Debian's Chromium through playwright-core, a phone-sized viewport, and a
// record of every console error and page error (hydration problems show up there).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

export const BASE = process.env.ALLHANDS_E2E_URL ?? 'http://127.0.0.1:3000';
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const SHOTS = process.env.ALLHANDS_E2E_SHOTS ?? 'test-results';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// cargo leptos end-to-end does not wait for the server: poll its health check.
export async function waitForServer(timeoutMs = 180_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${BASE}/healthz`);
      if (res.ok) return;
    } catch { /* not up yet */ }
    if (Date.now() > until) throw new Error(`server at ${BASE} did not come up`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A phone-sized context whose pages record console and page errors in `errors`. */
export async function phoneContext(browser, options = {}) {
  const context = await browser.newContext({ ...PHONE, locale: 'zh-CN', ...options });
  context.errors = [];
  context.on('page', (page) => watch(page, context.errors));
  // The pages run under a strict content security policy: anything it blocks is an error.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  return context;
}

function watch(page, errors) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
}

/** Navigates and, when JavaScript runs, waits until the page is hydrated; a prospect's page
 * that works without its wasm (`body[data-hydrate]`: on the first input, or never) is ready
 * as served. */
export async function open(page, path, { js = true } = {}) {
  const res = await page.goto(`${BASE}${path}`);
  // Every page is served with its policy: scripts only by this response's nonce.
  const csp = res?.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'nonce-[^']+'/, `${path}: content security policy`);
  if (js) await page.waitForSelector('body[data-hydrated="true"], body[data-hydrate]', { timeout: 30_000 });
}

export async function signIn(page, login, password = 'demo1234') {
  await open(page, '/login');
  await page.getByTestId('login').fill(login);
  await page.getByTestId('password').fill(password);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('signed-in-user').waitFor({ timeout: 15_000 });
}

/** A phone-sized context and a page in it, signed in as `login`. */
export async function signedInPhone(browser, login) {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await signIn(page, login);
  return [context, page];
}

/** `allow`: patterns of errors the test caused on purpose (the browser logs every 4xx). */
export function assertNoErrors(context, { allow = [] } = {}) {
  const errors = context.errors.filter((e) => !allow.some((pattern) => pattern.test(e)));
  assert.deepEqual(errors, [], 'console or page errors');
}

/** A fresh, valid mobile number per run, so runs do not interfere with each other. */
export function freshPhone() {
  const n = String(Date.now() % 100_000_000).padStart(8, '0');
  return `139${n}`;
}

/** Registers the file's before/after hooks: waits for the server, starts one browser. */
export function useBrowser() {
  const state = {};
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await waitForServer();
    state.browser = await launch();
  });
  after(async () => state.browser?.close());
  return () => state.browser;
}

/** A prospect opens `link` on their own phone, fills the referral form and sees the thank-you page. */
export async function submitThroughLink(browser, link, name, phone) {
  const prospect = await phoneContext(browser);
  const page = await prospect.newPage();
  await page.goto(link);
  // Typing starts the page's wasm; the rest is filled once it has hydrated, as a person would.
  await page.getByTestId('lead-name').fill(name);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByTestId('lead-phone').fill(phone);
  await page.getByTestId('lead-consent').check();
  await page.getByTestId('lead-submit').click();
  await page.getByTestId('thanks').waitFor();
  await prospect.close();
}

/** Calls a server function from a signed-in page, as its forms do; returns its JSON. */
export async function call(page, name, fields) {
  return page.evaluate(async ([name, fields]) => {
    const res = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    if (!res.ok) throw new Error(`${name}: ${res.status} ${await res.text()}`);
    return res.json();
  }, [name, fields]);
}

/** The finished share poster's size and what its QR code reads (jsQR, on the image's pixels). */
export async function readPoster(page) {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('jsqr') });
  return page.evaluate(async () => {
    const img = document.querySelector('[data-testid="poster-img"]');
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const qr = window.jsQR(pixels.data, canvas.width, canvas.height);
    return { width: canvas.width, height: canvas.height, text: qr ? qr.data : null };
  });
}
