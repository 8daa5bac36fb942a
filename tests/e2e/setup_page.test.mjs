// Browser tests of the first-run setup page: Debian's chromium, driven by playwright-core,
// against the real orrery binary on a fresh data folder (port 0, read from the log).
//
//   node setup_page.test.mjs ORRERY_BINARY SCREENSHOT_DIR SHIPPED_CONFIG
//
// A screenshot of each step goes to SCREENSHOT_DIR (the test's build folder), and axe-core
// checks each one: no serious or critical violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, readFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error('playwright-core is not installed in tests/e2e: run tools/test (it runs `npm ci` there)');
  process.exit(1);
}

const [binary, screenshots, shippedConfig] = process.argv.slice(2);
assert.ok(binary && screenshots && shippedConfig, 'usage: setup_page.test.mjs ORRERY_BINARY SCREENSHOT_DIR SHIPPED_CONFIG');
mkdirSync(screenshots, { recursive: true });
const CHROMIUM = process.env.ORRERY_CHROMIUM || '/usr/bin/chromium';
const STRONG = 'Correct-Horse-9';

// One host in its own folder, with the shipped config/orrery.yml; setup is on (default).
class Host {
  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'orrery-e2e-'));
    this.config = join(this.root, 'orrery.yml');
    copyFileSync(shippedConfig, this.config);
    mkdirSync(join(this.root, 'plugins'));
    this.output = '';
    this.waiters = [];
    this.child = spawn(binary, [
      '--config', this.config, '--plugin-path', join(this.root, 'plugins'),
      '--set', `path.data=${join(this.root, 'data')}`, '--set', 'server.port=0',
      '--set', 'plugins.lifecycle.timeout=5s',
    ], { cwd: this.root, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk) => {
      this.output += chunk.toString();
      this.waiters = this.waiters.filter((w) => !w());
    };
    this.child.stdout.on('data', collect);
    this.child.stderr.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  // Resolves with the first match of `pattern` in the log; fails after `ms`.
  waitFor(pattern, ms = 30000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.output.match(pattern);
        if (match) { clearTimeout(timer); resolve(match); return true; }
        return false;
      };
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in the log within ${ms} ms:\n${this.output}`)), ms);
      if (!check()) this.waiters.push(check);
    });
  }

  async setupUrl() {
    const match = await this.waitFor(/Go to (http:\/\/127\.0\.0\.1:\d+)\/\?code=(\d{6}) to get started/);
    this.url = match[1];
    this.code = match[2];
  }

  async stop() {
    this.child.kill('SIGTERM');
    const { code } = await this.exited;
    rmSync(this.root, { recursive: true, force: true });
    return code;
  }
}

async function withBrowser(body) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    // bypassCSP: so the test can inject axe-core's script, which the page's own policy refuses.
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 }, bypassCSP: true });
    const external = [];
    page.on('request', (request) => { if (!request.url().startsWith('http://127.0.0.1:')) external.push(request.url()); });
    await body(page);
    assert.deepEqual(external, [], 'the page loaded something from elsewhere');
  } finally {
    await browser.close();
  }
}

// The screenshot, then axe-core on the page as it is: serious and critical violations fail.
async function shot(page, name) {
  await page.screenshot({ path: join(screenshots, name + '.png'), fullPage: true });
  await page.addScriptTag({ path: axeScript });
  const { violations } = await page.evaluate(() => window.axe.run());
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(grave, [], `axe-core on ${name}`);
}
const visibleText = (page, selector) => page.locator(selector).innerText();

test('a fresh install: wrong code, right code, weak password refused, embedded connection, saved, main server', async () => {
  const host = new Host();
  try {
    await host.setupUrl();
    const wrong = host.code === '000000' ? '000001' : '000000';
    await withBrowser(async (page) => {
      // Any page leads to setup, remembering where the operator wanted to go.
      await page.goto(`${host.url}/?code=${wrong}`);
      await page.locator('#step-code-title').waitFor();
      assert.equal(await page.inputValue('#code'), wrong);  // prefilled from ?code=
      await shot(page, 'setup-1-code');
      // A phone-width window: the same step, nothing cut off or overlapping.
      await page.setViewportSize({ width: 360, height: 740 });
      await shot(page, 'setup-1-code-narrow');
      await page.setViewportSize({ width: 900, height: 1000 });

      // Keyboard only: Enter submits the focused form.
      await page.focus('#code');
      await page.keyboard.press('Enter');
      await page.locator('#code-error').waitFor({ state: 'visible' });
      assert.equal(await visibleText(page, '#code-error'), 'Wrong verification code: 4 attempts left.');
      assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
      await shot(page, 'setup-2-wrong-code');

      await page.fill('#code', host.code);
      await page.keyboard.press('Enter');
      await page.locator('#step-connection-title').waitFor({ state: 'visible' });
      assert.ok(await page.isChecked('#type-embedded'));
      const folder = join(host.root, 'indices');
      await page.fill('#path', folder);
      await shot(page, 'setup-3-connection');
      await page.keyboard.press('Enter');

      await page.locator('#step-admin-title').waitFor({ state: 'visible' });
      assert.match(await visibleText(page, '#password-rule'), /At least 12 characters/);
      await page.fill('#admin-username', 'chief');
      await page.fill('#admin-password', 'weakpassword');
      await page.fill('#admin-confirm', 'weakpassword');
      await page.keyboard.press('Enter');
      await page.locator('#admin-password-error').waitFor({ state: 'visible' });
      assert.match(await visibleText(page, '#admin-password-error'), /too weak/);
      await shot(page, 'setup-4-weak-password');

      await page.fill('#admin-password', STRONG);
      await page.fill('#admin-confirm', STRONG);
      await page.keyboard.press('Enter');
      await page.locator('#step-save-title').waitFor({ state: 'visible' });
      await page.click('#check');
      await page.locator('#check-result.success').waitFor();
      assert.match(await visibleText(page, '#check-result'), /ready for the embedded engine/);
      await shot(page, 'setup-5-check');

      await page.click('#save');
      await page.locator('#step-done-title').waitFor({ state: 'visible' });
      await shot(page, 'setup-6-saved');
      // The page polls /api/status and moves on to the main server.
      await Promise.race([
        page.waitForURL(`${host.url}/`, { timeout: 60000 }),
        host.exited.then(({ code }) => { throw new Error(`orrery exited (${code}) after saving:\n${host.output}`); }),
      ]);
      await page.locator('h1', { hasText: 'Orrery is running' }).waitFor();
      await shot(page, 'setup-7-main-server');
    });
    await host.waitFor(/orrery ready in/);

    const auth = 'Basic ' + Buffer.from(`chief:${STRONG}`).toString('base64');
    const status = await fetch(`${host.url}/api/status`, { headers: { Authorization: auth } });
    assert.equal(status.status, 200);
    const body = await status.json();
    assert.equal(body.status.plugins.data.state, 'started', 'the admin sees the plugins, the data plugin started');

    const config = readFileSync(host.config, 'utf8');
    assert.ok(config.startsWith(readFileSync(shippedConfig, 'utf8')), 'the shipped config is kept as it was');
    assert.match(config, /defaultStrategy: local/);
    assert.equal(await host.stop(), 0);
  } finally {
    if (host.child.exitCode === null) await host.stop();
  }
});

test('a remote connection where nothing listens: the error is shown and nothing is saved', async () => {
  const host = new Host();
  try {
    await host.setupUrl();
    const before = readFileSync(host.config, 'utf8');
    await withBrowser(async (page) => {
      await page.goto(`${host.url}/?code=${host.code}`);
      await page.locator('#step-code-title').waitFor();
      await page.focus('#code');
      await page.keyboard.press('Enter');
      await page.locator('#step-connection-title').waitFor({ state: 'visible' });

      // Arrow keys move between radio buttons: no mouse needed.
      await page.focus('#type-embedded');
      await page.keyboard.press('ArrowDown');
      assert.ok(await page.isChecked('#type-remote'));
      await page.locator('#url').waitFor({ state: 'visible' });
      await page.fill('#url', 'http://127.0.0.1:1');
      await page.focus('#auth-basic');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.ok(await page.isChecked('#auth-none'));
      await page.focus('#url');
      await page.keyboard.press('Enter');

      await page.locator('#step-admin-title').waitFor({ state: 'visible' });
      await page.fill('#admin-password', STRONG);
      await page.fill('#admin-confirm', STRONG);
      await page.keyboard.press('Enter');
      await page.locator('#step-save-title').waitFor({ state: 'visible' });

      await page.click('#check');
      await page.locator('#check-result.error').waitFor();
      assert.match(await visibleText(page, '#check-result'), /Cannot reach http:\/\/127\.0\.0\.1:1/);
      await shot(page, 'setup-remote-1-check-failed');

      await page.click('#save');
      await page.locator('#check-result.error', { hasText: 'Nothing was saved' }).waitFor();
      assert.match(await visibleText(page, '#check-result'), /Cannot reach http:\/\/127\.0\.0\.1:1.*Connection refused/s);
      await shot(page, 'setup-remote-2-not-saved');
      assert.ok(await page.locator('#step-save-title').isVisible(), 'the page stays on the save step');
    });
    assert.equal(readFileSync(host.config, 'utf8'), before);
    assert.ok(!existsSync(join(host.root, 'data', 'security', 'users.yml')));
    const codeFile = join(host.root, 'data', 'interactive_setup', 'verification_code');
    assert.equal(statSync(codeFile).mode & 0o777, 0o600);
    assert.equal(await host.stop(), 0);
  } finally {
    if (host.child.exitCode === null) await host.stop();
  }
});
