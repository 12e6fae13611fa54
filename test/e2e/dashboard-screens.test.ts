// The dashboard at laptop and phone sizes, light and dark, over a hub with a realistic
// scene. Checks that nothing overflows sideways, and saves screenshots to a temp folder,
// or to docs/images with AGENTCOM_SCREENSHOTS=1 (how the docs' pictures are made).
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import {
  eventually, HubUnderTest, launchBrowser, serveDashboard, type DashboardServing, type SimAgent, type TestBrowser,
} from '../support/browser.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const docsImages = fileURLToPath(new URL('../../docs/images', import.meta.url));
const sizes = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } } as const;

describe('dashboard screens (Chromium)', function () {
  this.timeout(90_000);
  let dir: TempDir;
  let shotsDir: string;
  let hub: HubUnderTest;
  let browser: TestBrowser;
  let serving: DashboardServing;
  const agents: SimAgent[] = [];

  before(async () => {
    dir = makeTempDir('dashboard-screens');
    shotsDir = process.env.AGENTCOM_SCREENSHOTS === '1' ? docsImages : join(dir.path, 'shots');
    mkdirSync(shotsDir, { recursive: true });
    hub = new HubUnderTest(join(dir.path, 'data'));
    await hub.start();
    await buildScene(hub, agents);
    browser = await launchBrowser();
    serving = await serveDashboard(browser.context, hub.url);
  });

  after(async () => {
    for (const agent of agents) await agent.close();
    await browser?.close();
    serving?.close();
    await hub?.stop();
    dir?.remove();
  });

  for (const [size, viewport] of Object.entries(sizes)) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`fits a ${size} screen (${viewport.width}×${viewport.height}, ${scheme})`, async () => {
        const page = await browser.context.newPage();
        try {
          await page.setViewportSize(viewport);
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
          await page.goto(`${hub.url}/#token=${hub.adminToken}`);
          await page.waitForSelector('body[data-feed="live"]');
          await eventually(async () => expect(await page.locator('#agents .card').count()).to.equal(agents.length));
          await eventually(async () => expect(await page.locator('#completions a.pr-link').count()).to.be.at.least(1));
          await page.waitForTimeout(300);
          const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as number;
          expect(overflow, 'page wider than the screen').to.be.at.most(0);
          await page.screenshot({ path: join(shotsDir, `dashboard-${size}-${scheme}.png`), fullPage: size === 'desktop' });
          if (size === 'desktop' || scheme === 'light') await drawerShot(page, join(shotsDir, `dashboard-drawer-${size}-${scheme}.png`));
        } finally {
          await page.close();
        }
      });
    }
  }
});

async function drawerShot(page: Page, path: string): Promise<void> {
  await page.locator('#completions .row button.link').first().click();
  await page.locator('#drawer .timeline li').first().waitFor();
  await page.screenshot({ path });
  await page.keyboard.press('Escape');
}

/**
 * Agents in each state, queued work in every lane, completions with pull requests,
 * dead letters, and twelve metrics intervals (sampled faster than the hub's 10 s timer).
 */
async function buildScene(hub: HubUnderTest, agents: SimAgent[]): Promise<void> {
  const result = { output: 'done', tokens_used: 1840 };
  const add = async (id: string, behaviour: Parameters<HubUnderTest['agent']>[1], capabilities: string[], extra: Record<string, unknown> = {}) => {
    const agent = await hub.agent(id, behaviour, { capabilities, result: { ...result, ...extra } });
    agents.push(agent);
    return agent;
  };
  let pr = 100;
  const builders = await Promise.all(['gcu-sleeper-service', 'gcu-grey-area', 'gcu-so-much-for-subtlety'].map((id) =>
    add(id, 'complete', ['code', 'typescript'])));
  const reviewer = await add('gcu-lasting-damage', 'hold', ['review']);
  const docsWriter = await add('gcu-zero-gravitas', 'ignore', ['docs']);
  const flaky = await add('gcu-flaky-tests', 'fail', ['flaky']);
  const gone = await add('gcu-mistake-not', 'complete', ['gpu']);
  await gone.close();

  const topics = ['Fix flaky retry test in queue engine', 'Add pagination to /api/tasks', 'Upgrade xstate to 5.33', 'Refactor lease expiry sweep',
    'Document backup rotation', 'Speed up LMDB compaction', 'Handle 1001 close in sidecar', 'Add CSV export to metrics'];
  for (let round = 0; round < 12; round += 1) {
    const n = 3 + ((round * 7) % 9);
    for (let i = 0; i < n; i += 1) {
      for (const builder of builders) builder.result = { ...result, pr_url: `https://github.com/acme/agentcom/pull/${pr++}` };
      await hub.submit(topics[(round + i) % topics.length]!, { priority: ['urgent', 'high', 'normal', 'low'][i % 4], needed_capabilities: ['code'] });
    }
    if (round % 4 === 1) await hub.submit(`Migrate test fixtures (batch ${round})`, { needed_capabilities: ['flaky'], max_retries: 0 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    hub.running.hub.dashboard.sampleMetrics();
  }
  // Work that stays put: a task under review, one never accepted, and a backlog no one can take.
  await hub.submit('Review PR #112: lease expiry refactor', { priority: 'high', needed_capabilities: ['review'] });
  await hub.submit('Write the operator guide for backups', { priority: 'normal', needed_capabilities: ['docs'] });
  const backlog: Array<[string, number]> = [['urgent', 2], ['high', 5], ['normal', 9], ['low', 4]];
  for (const [priority, n] of backlog) {
    for (let i = 0; i < n; i += 1) await hub.submit(`Train model variant ${priority}-${i}`, { priority, needed_capabilities: ['gpu'] });
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  hub.running.hub.dashboard.sampleMetrics();
  void reviewer;
  void docsWriter;
  void flaky;
}
