// Launches Debian's Chromium inside a network namespace and drives Tern's demo page through its
// window.tern API. Used by scenarios.mjs; the JUnit tests in io.tern.server.browser run that.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = process.env.TERN_CHROMIUM ?? '/usr/bin/chromium';
const IP = process.env.TERN_IP ?? '/usr/sbin/ip';

// testing.md "Headless Chromium": no sandbox (root), no GPU, nothing that phones home.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function log(...args) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${args.join(' ')}\n`);
}

/** A failure that carries what the pages showed, so the JUnit message says why. */
export class StepFailed extends Error {
  constructor(message, detail) {
    super(message);
    this.detail = detail;
  }
}

/**
 * One Chromium process whose network is the namespace `netns` (a wrapper runs it via `ip netns
 * exec`); `extraArgs` are more command-line flags (e.g. a certificate to trust).
 */
export async function launchIn(netns, origin, extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'tern-chromium-'));
  const wrapper = join(dir, 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${IP} netns exec ${netns} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  const started = Date.now();
  const browser = await chromium.launch({
    executablePath: wrapper,
    args: [...FLAGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`, ...extraArgs],
    timeout: 30_000,
  });
  log(`chromium ${browser.version()} up in ${netns} after ${Date.now() - started} ms`);
  browser.on('disconnected', () => rmSync(dir, { recursive: true, force: true }));
  return browser;
}

/** A participant: one page of the demo in its own browser context. */
export class Participant {
  constructor(label, page) {
    this.label = label;
    this.page = page;
    this.consoleErrors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(`uncaught: ${e.message}`));
  }

  static async open(browser, label, url) {
    const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    const page = await context.newPage();
    const p = new Participant(label, page);
    const response = await page.goto(url, { timeout: 15_000 });
    if (!response || !response.ok()) {
      throw new StepFailed(`${label}: ${url} answered ${response ? response.status() : 'nothing'}`);
    }
    return p;
  }

  state() {
    return this.page.evaluate(() => window.tern.state());
  }

  stats() {
    return this.page.evaluate(() => window.tern.stats());
  }

  events() {
    return this.page.evaluate(() => window.tern.events());
  }

  call(method, ...args) {
    return this.page.evaluate(([m, a]) => window.tern[m](...a), [method, args]);
  }

  /** The entry for the peer with this id (or display name). */
  async peer(idOrName) {
    const s = await this.state();
    return s.peers.find((p) => p.id === idOrName || p.name === idOrName) ?? null;
  }

  /** Polls state() until `predicate(state)` holds; fails with `what` and the last state. */
  async waitFor(what, predicate, timeoutMs) {
    const started = Date.now();
    const deadline = started + timeoutMs;
    let last = null;
    while (true) {
      last = await this.state();
      if (predicate(last)) {
        log(`${this.label}: ${what} (${Date.now() - started} ms)`);
        return last;
      }
      if (Date.now() > deadline) {
        throw new StepFailed(`${this.label}: not within ${timeoutMs} ms: ${what}`, { [this.label]: last });
      }
      await sleep(200);
    }
  }
}

/** Whether every peer in a state is connected, and there are `count` of them. */
export function connectedTo(count) {
  return (s) => s.joined && s.peers.length === count && s.peers.every((p) => p.connectionState === 'connected');
}
