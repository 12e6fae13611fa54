// The dashboard of one hub of a cluster (engine jetstream, a real nats-server) in a real
// Chromium: an agent connected to the other hub has its card, with that hub's badge.
import { expect } from 'chai';
import { eventually, launchBrowser, serveDashboard, type DashboardServing, type TestBrowser } from '../support/browser.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { startNatsNode, type NatsNode } from '../support/nats-server.ts';
import { waitFor } from '../support/wait-for.ts';

describe('dashboard: agents of every hub of a cluster, with their hub', function () {
  this.timeout(60_000);
  let node: NatsNode;
  let a: TestHub;
  let b: TestHub;
  let browser: TestBrowser;
  let serving: DashboardServing;

  before(async () => {
    node = await startNatsNode();
    const cluster = { engine: 'jetstream', nats_servers: [node.url], hub_lease_ms: 3000 };
    a = await startTestHub({ ...cluster, hub_name: 'hub-a' });
    // Tokens are the cluster's: hub B finds A's admin token in the bucket and makes none of its own.
    b = await startTestHub({ ...cluster, hub_name: 'hub-b' }, { adminToken: a.adminToken });
    browser = await launchBrowser();
    serving = await serveDashboard(browser.context, a.url);
  });

  after(async () => {
    serving?.close();
    await browser?.close();
    await a?.stop();
    await b?.stop();
    await node?.stop();
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
