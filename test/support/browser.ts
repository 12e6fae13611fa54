// Debian's Chromium driven by playwright-core, for the dashboard's browser tests and
// benchmark. When /usr/bin/chromium is missing we install it as root (as .ci/run does);
// otherwise we stop with one line saying what to install. Never a silent skip.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import uWS from 'uWebSockets.js';
import { registerStaticFiles } from '../../web/static-files.ts';

export const chromiumPath = '/usr/bin/chromium';
export const dashboardDistDir = fileURLToPath(new URL('../../web/static/dist', import.meta.url));

const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // A page whose files come through Playwright routing has no address space, so Chromium's
  // Local Network Access checks would block its socket to the loopback hub (proxy mode below).
  '--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets',
];

/** The Chromium binary, installed with apt-get when missing and we are root. */
export function ensureChromium(): string {
  if (existsSync(chromiumPath)) return chromiumPath;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) throw new Error(`${chromiumPath} not found: the browser tests need Debian's chromium; run \`sudo apt-get install -y chromium\``);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  }
  if (install.status !== 0 || !existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} not found and \`apt-get install -y chromium\` failed (exit ${install.status}); install chromium and rerun`);
  }
  return chromiumPath;
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh Chromium profile (its own --user-data-dir), removed on close. */
export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const executablePath = ensureChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'agentcom-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    viewport: options.viewport ?? { width: 1440, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface DashboardServing {
  /** 'hub' when the hub serves the page itself; 'proxy' when this helper routes the page's files. */
  mode: 'hub' | 'proxy';
  close(): void;
}

/**
 * Makes `hubUrl` serve the built dashboard in `context`. When the hub does not serve `/`
 * yet (web/server.ts has not mounted registerStaticFiles), the page's own files are
 * routed to a uWS app that runs registerStaticFiles on the same folder; the API and the
 * feed still go to the real hub. The mode is returned so callers can report it.
 */
export async function serveDashboard(context: BrowserContext, hubUrl: string): Promise<DashboardServing> {
  const probe = await fetch(`${hubUrl}/`).catch(() => null);
  const html = probe?.ok && (probe.headers.get('content-type') ?? '').startsWith('text/html') ? await probe.text() : '';
  if (html.includes('AgentCom dashboard')) return { mode: 'hub', close: () => undefined };

  const app = uWS.App();
  registerStaticFiles(app, dashboardDistDir);
  const listen = await new Promise<uWS.us_listen_socket | false>((resolve) => app.listen('127.0.0.1', 0, resolve));
  if (!listen) throw new Error('could not start the static file server for the dashboard');
  const staticUrl = `http://127.0.0.1:${uWS.us_socket_local_port(listen as unknown as uWS.us_socket)}`;
  await context.route((url) => url.origin === new URL(hubUrl).origin && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/ws'), async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: `${staticUrl}${url.pathname}` });
    await route.fulfill({ response });
  });
  return { mode: 'proxy', close: () => uWS.us_listen_socket_close(listen) };
}
