// The dashboard of one hub of a cluster (engine jetstream, a real nats-server) in a real
// Chromium: an agent connected to the other hub has its card, with that hub's badge.
import { expect } from 'chai';
import { eventually, launchBrowser, serveDashboard, type DashboardServing, type TestBrowser } from '../support/browser.ts';
import type { TestHub } from '../support/hub-harness.ts';
import { startTwoHubCluster, type TwoHubCluster } from '../support/two-hub-cluster.ts';
import { waitFor } from '../support/wait-for.ts';

describe('dashboard: agents of every hub of a cluster, with their hub', function () {
  this.timeout(60_000);
  let cluster: TwoHubCluster;
  let a: TestHub;
  let b: TestHub;
  let browser: TestBrowser;
  let serving: DashboardServing;

  before(async () => {
    cluster = await startTwoHubCluster();
    ({ a, b } = cluster);
    browser = await launchBrowser();
    serving = await serveDashboard(browser.context, a.url);
  });

  after(async () => {
    serving?.close();
    await browser?.close();
    await cluster?.stop();
  });

  it("shows B's agent on A's dashboard with a hub-b badge, and A's own with hub-a", async () => {
    await a.connectAgent('local-one');
    await b.connectAgent('far-one');
    await waitFor(async () => ((await a.http('GET', '/api/agents')).body.agents as unknown[]).length === 2, 10_000, 'A lists both agents');
    const page = await browser.context.newPage();
    await page.goto(`${a.url}/#token=${a.adminToken}`);
    await eventually(async () => expect(await page.locator('#agents [data-agent="far-one"] .hub-badge').textContent()).to.equal('hub-b'));
    expect(await page.locator('#agents [data-agent="local-one"] .hub-badge').textContent()).to.equal('hub-a');
    expect(await page.locator('#agents [data-agent="far-one"] .hub-badge').isVisible()).to.equal(true);

    // Live, without a reload: an agent joining B appears; one leaving B goes; A's own keep their badge through their events.
    const late = await b.connectAgent('late-one');
    await eventually(async () => expect(await page.locator('#agents [data-agent="late-one"] .hub-badge').textContent()).to.equal('hub-b'), 10_000);
    await a.connectAgent('local-two');
    await eventually(async () => expect(await page.locator('#agents [data-agent="local-two"] .hub-badge').textContent()).to.equal('hub-a'));
    await late.ws.close();
    await eventually(async () => expect(await page.locator('#agents [data-agent="late-one"]').count()).to.equal(0), 10_000);
  });
});
