// Browser test of the dashboard: Debian's chromium, headless, driven by
// playwright-core. Run by tests/dashboards/browser_test.cc against a real
// server on 127.0.0.1 with a real store:
//   node tests/e2e/dashboard.js http://127.0.0.1:PORT SCREENSHOT_DIR
// Exits 0 when every step passed; prints one line per step.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const root = path.resolve(__dirname, '../..');
const { chromium } = require(path.join(root, 'dashboards/web/node_modules/playwright-core'));

const base = process.argv[2];
const shots = process.argv[3] || path.join(__dirname, 'screenshots');
fs.mkdirSync(shots, { recursive: true });

function check(cond, what) {
  if (!cond) throw new Error('FAILED: ' + what);
  console.log('ok - ' + what);
}

async function ready(page, hash) {
  await page.waitForFunction((h) => document.getElementById('page').dataset.ready === h, hash, { timeout: 60000 });
}
async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await ready(page, hash);
}

(async () => {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shagym-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const dialogs = [];
  const external = [];
  try {
    const page = await context.newPage();
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) external.push(r.url()); });
    // The evidence page's own images are refused by its CSP before any
    // connection is made: those requests never leave.
    const blocked = [];
    page.on('requestfailed', (r) => { if (/csp/i.test(r.failure().errorText)) blocked.push(r.url()); });
    page.on('pageerror', (e) => console.log('page error: ' + e.message));

    // Log in (Kazakh by default).
    await page.goto(base + '/');
    await page.waitForSelector('#login:not([hidden])');
    check(await page.getAttribute('html', 'lang') === 'kk', 'Kazakh is the default language');
    check((await page.textContent('#login h1')) === 'Кіру', 'login page in Kazakh');
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', 'wrong');
    await page.click('#login-form button');
    await page.waitForFunction(() => document.getElementById('login-error').textContent !== '');
    check(true, 'wrong password is refused');
    await page.fill('input[name=password]', 'pw-admin');
    await page.click('#login-form button');
    await page.waitForSelector('#nav:not([hidden])');
    await ready(page, '#/overview');
    check(await page.locator('#spikes').count() === 1, 'overview shows spikes');
    check(await page.locator('#region-table td').count() > 0, 'overview shows the region × category table');
    check(await page.locator('#compare tbody tr').count() > 0, 'overview compares the last day and week per category');
    check(await page.locator('#data-up-to').count() === 1, 'overview says how recent its data is');
    await page.screenshot({ path: path.join(shots, 'overview.png'), fullPage: true });
    // One click from a spike to its posts, matched words highlighted.
    check(await page.locator('#spikes tr.spike a').count() > 0, 'spike rows link to their posts');
    const spikeHref = await page.getAttribute('#spikes tr.spike a', 'href');
    await page.click('#spikes tr.spike a');
    await ready(page, spikeHref);
    check(spikeHref.includes('category=') && spikeHref.includes('region='), 'spike link filters by category and region');
    check(await page.locator('#post-list article mark').count() > 0, 'spike posts shown with highlights');
    await go(page, '#/overview');

    // Switch language: Russian, then English, then back.
    await page.selectOption('#lang', 'ru');
    await ready(page, '#/overview');
    check((await page.textContent('#nav a[href="#/overview"]')) === 'Обзор', 'switched to Russian');
    await page.selectOption('#lang', 'en');
    await ready(page, '#/overview');
    check((await page.textContent('#nav a[href="#/trends"]')) === 'Trends', 'switched to English');
    await page.selectOption('#lang', 'kk');
    await ready(page, '#/overview');
    check((await page.textContent('#nav a[href="#/posts"]')) === 'Жазбалар', 'back to Kazakh');

    // Trends, filtered to one category.
    await go(page, '#/trends');
    await page.selectOption('#trend-filters select[name=category]', 'bullying');
    await page.selectOption('#trend-filters select[name=by]', 'region');
    await page.click('#trend-filters button[type=submit]');
    await page.waitForFunction(() => (document.getElementById('page').dataset.ready || '').includes('category=bullying'));
    check(await page.locator('#trend-chart').count() === 1, 'trend chart drawn');
    const totals = await page.textContent('#trend-totals');
    check(totals.includes('Жамбыл облысы'), 'trends split by region for bullying');
    await page.screenshot({ path: path.join(shots, 'trends.png'), fullPage: true });

    // Posts: open one, see the highlight at the right bytes.
    await go(page, '#/posts');
    check(await page.locator('#post-list article').count() > 0, 'post list shows posts');
    await page.screenshot({ path: path.join(shots, 'posts.png'), fullPage: false });
    await page.click('article[data-id="p1"] a.open');
    await ready(page, '#/post/p1');
    check((await page.textContent('article[data-id="p1"] mark')) === 'буллинг', 'matched word highlighted at its byte offsets');
    check(!(await page.textContent('article[data-id="p1"] .text')).includes('87011234567'), 'phone number masked');
    // Its copy is folded under the incident.
    check(await page.locator('#incident a[href="#/post/p2"]').count() === 1, 'incident lists the repost');
    // The evidence: the stored page in a sandboxed frame, masked, inert.
    await page.waitForSelector('#evidence iframe.evidence');
    const evFrame = await (await page.$('#evidence iframe.evidence')).contentFrame();
    check(!!evFrame, 'evidence page shown in a frame');
    await evFrame.waitForSelector('div.msg');
    const evText = await evFrame.textContent('div.msg');
    check(evText.includes('буллинг') && !evText.includes('87011234567'), 'evidence shown as first seen, phone masked');
    check(await page.getAttribute('#evidence iframe', 'sandbox') === '', 'evidence frame is sandboxed');

    // Multi-byte Kazakh text and an emoji before the match: the highlight
    // still lands on the words.
    await go(page, '#/post/p4');
    check((await page.textContent('article[data-id="p4"] mark')) === 'ақша жинайды', 'Kazakh highlight after an emoji at the right bytes');
    check(await page.locator('#evidence').textContent().then((x) => x.length > 0), 'post without a kept page says so');
    await go(page, '#/post/p1');

    // Review it.
    await page.fill('input[name=note]', 'мектепке хабарландық');
    await page.click('button[data-review="confirmed"]');
    await page.waitForFunction(() => {
      const r = document.querySelector('article[data-id="p1"] .review');
      return r && r.textContent === 'Расталды';
    });
    check((await page.textContent('#page')).includes('мектепке хабарландық'), 'review saved with its note');
    await page.screenshot({ path: path.join(shots, 'post.png'), fullPage: true });

    // A hostile post shows as text.
    await go(page, '#/post/p3');
    const hostile = await page.textContent('article[data-id="p3"] .text');
    check(hostile.includes('<script>alert(1)</script>'), 'script tag shown as text');
    check(hostile.includes('<img src=x onerror=alert(2)>'), 'img onerror shown as text');
    check(await page.locator('article[data-id="p3"] img, article[data-id="p3"] script').count() === 0, 'no element made from post text');
    check(dialogs.length === 0, 'no script from a post ran');

    // Export a CSV.
    await go(page, '#/export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#export-form button[type=submit]'),
    ]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    check(csv.startsWith('id,') && csv.includes('p1'), 'CSV export downloaded');
    await page.screenshot({ path: path.join(shots, 'export.png') });

    // Sources.
    await go(page, '#/sources');
    await page.screenshot({ path: path.join(shots, 'sources.png') });

    // Rules (admin): an invalid edit shows its file:line error inline; an
    // edit is back-tested (what it adds and drops), a text tested, then saved.
    const rulesStatus = await page.evaluate(async () => (await fetch('/api/rules')).status);
    check(rulesStatus === 200, 'rules API available');
    await go(page, '#/rules');
    await page.selectOption('#page select[name=file]', 'bullying.yaml');
    const original = await page.inputValue('textarea[name=rule-text]');
    check(original.includes('травят'), 'rule file shown in the editor');
    // The review of p1 (confirmed) shows as the precision of its rule.
    const statRow = await page.locator('tr', { hasText: 'kk.bullying.1' }).first().textContent();
    check(/100%/.test(statRow), 'per-rule precision from reviews (' + statRow + ')');
    await page.fill('textarea[name=rule-text]', original.replace('category: bullying', 'category: bulying'));
    await page.click('#rule-save');
    await page.waitForFunction(() => document.getElementById('rule-errors').textContent.length > 0);
    const ruleError = await page.textContent('#rule-errors');
    check(/bullying\.yaml:\d+:\d+: .*bulying/.test(ruleError), 'invalid rule file shows its file:line error inline');
    // Back-test an edit: "травят" posts are dropped, canteen ("асхана") posts added.
    const edited = original.replace('травят', 'асхана');
    await page.fill('textarea[name=rule-text]', edited);
    await page.click('#rule-backtest');
    await page.waitForSelector('#backtest-summary', { timeout: 120000 });
    const bt = await page.evaluate(() => document.getElementById('backtest-summary').textContent);
    const count = (label) => Number((bt.match(new RegExp(label + ': (\\d+)')) || [])[1] || 0);
    check(count('Қосылады') > 0 && count('Жоғалады') > 0, 'back-test shows added and dropped posts (' + bt + ')');
    check(await page.locator('#backtest-result tbody tr').count() > 0, 'back-test lists the changed posts');
    await page.screenshot({ path: path.join(shots, 'rules.png'), fullPage: true });
    await page.fill('textarea[name=test-text]', 'асхана тамағы сапасыз');
    await page.click('#rule-test');
    await page.waitForFunction(() => document.getElementById('rule-test-result').textContent.length > 0);
    check(!(await page.textContent('#rule-test-result')).includes('Буллинг'), 'rule test runs with the running rules');
    await page.click('#rule-save');
    await page.waitForFunction(() => document.getElementById('rule-saved').textContent.length > 0);
    check((await page.textContent('#rule-errors')) === '', 'edited rule file saved');
    await page.fill('textarea[name=test-text]', 'асхана тамағы сапасыз');
    await page.click('#rule-test');
    await page.waitForFunction(() => (document.getElementById('rule-test-result').textContent || '').includes('Буллинг'));
    check(true, 'the saved rule is running');

    // Phone-sized screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await go(page, '#/overview');
    await page.waitForSelector('#sources-table tbody tr');
    await page.screenshot({ path: path.join(shots, 'phone-overview.png'), fullPage: false });
    // Nothing wider than the screen: not the page, not an element of it
    // (the source-health table included), no table scrolling sideways.
    const overflow = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      const bad = [];
      if (document.documentElement.scrollWidth > w) bad.push('page ' + document.documentElement.scrollWidth + 'px');
      // Inside a sideways-scrolling box (the region x category table) an
      // element may lie beyond the screen; the box itself may not.
      const clipped = (e) => {
        for (let a = e.parentElement; a && a.tagName !== 'MAIN'; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible') return true;
        }
        return false;
      };
      for (const e of document.querySelectorAll('main *')) {
        if (clipped(e)) continue;
        const r = e.getBoundingClientRect();
        if (r.width > 0 && (r.right > w + 0.5 || r.left < -0.5)) bad.push((e.id || e.tagName) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
      }
      for (const e of document.querySelectorAll('#sources-table .table-wrap')) {
        if (e.scrollWidth > e.clientWidth) bad.push('sources table scrolls ' + e.scrollWidth + '/' + e.clientWidth);
      }
      return bad.slice(0, 5);
    });
    check(overflow.length === 0, 'phone overview fits 390px (' + overflow.join(', ') + ')');
    await page.locator('#sources-table').screenshot({ path: path.join(shots, 'phone-sources.png') });

    check(blocked.some((u) => u.includes('tracker.example')), "the evidence page's tracker image was blocked by its CSP");
    const leaked = external.filter((u) => !blocked.includes(u));
    check(leaked.length === 0, 'no request left the server (' + leaked.join(' ') + ')');
    console.log('e2e: all steps passed');
  } finally {
    await context.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
})().catch((e) => { console.error(e.message || e); process.exit(1); });
