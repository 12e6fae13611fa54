// Fleet control on the dashboard (Chromium): a blocked agent's card says why, its Unblock
// button lifts the breaker, and the Providers panel counts tasks in use against the cap.
import { expect } from 'chai';
import { eventually, launchBrowser, serveDashboard, type DashboardServing, type TestBrowser } from '../support/browser.ts';
import { connectFleetAgent } from '../support/fleet-agent.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

describe('dashboard: fleet control (Chromium)', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let browser: TestBrowser;
  let serving: DashboardServing;

  before(async () => {
    hub = await startTestHub({ breaker_failures: 1, breaker_cooldown_ms: 0, provider_limits: { anthropic: 2 } });
    browser = await launchBrowser();
    serving = await serveDashboard(browser.context, hub.url);
  });

  after(async () => {
    await browser?.close();
    serving?.close();
    await hub?.stop();
  });

  it('shows a tripped breaker with an Unblock button that lifts it, and the providers in use', async () => {
    const agent = await connectFleetAgent(hub.wsUrl, 'claude-1', await hub.register('claude-1'), { provider: 'anthropic' });
    await hub.http('POST', '/api/tasks', { body: { description: 'fails', max_retries: 0 } });
    await agent.fail(await agent.takeTask());
    const page = await browser.context.newPage();
    try {
      await page.goto(`${hub.url}/#token=${hub.adminToken}`);
      await page.waitForSelector('body[data-feed="live"]');
      const card = page.locator('#agents .card[data-agent="claude-1"]');
      await eventually(async () => expect(await card.getAttribute('data-state')).to.equal('blocked'));
      expect(await card.locator('.facts').textContent()).to.contain('breaker (1 failures) until unblocked');
      await eventually(async () => expect(await page.locator('#providers [data-provider="anthropic"]').textContent()).to.contain('0 in use / 2, 0 parked'));

      await card.getByRole('button', { name: 'Unblock claude-1' }).click();
      await eventually(async () => expect(await card.getAttribute('data-state')).to.equal('idle'));
      await hub.http('POST', '/api/tasks', { body: { description: 'works' } });
      await agent.takeTask();
      await eventually(async () => expect(await page.locator('#providers [data-provider="anthropic"]').textContent()).to.contain('1 in use / 2'));
    } finally {
      await page.close();
    }
  });
});
