// The dashboard in a real Chromium against a real hub: agents over real sockets,
// tasks over HTTP, and assertions on what the page shows.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import {
  eventually, HubUnderTest, launchBrowser, serveDashboard, type DashboardServing, type SimAgent, type TestBrowser,
} from '../support/browser.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const cardState = (page: Page, agentId: string) => page.locator(`#agents [data-agent="${agentId}"]`).getAttribute('data-state');

describe('dashboard page (Chromium)', function () {
  this.timeout(60_000);
  let dir: TempDir;
  let hub: HubUnderTest;
  let browser: TestBrowser;
  let serving: DashboardServing;
  let page: Page;
  const agents: SimAgent[] = [];

  before(async () => {
    dir = makeTempDir('dashboard-e2e');
    hub = new HubUnderTest(dir.path);
    await hub.start();
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

  beforeEach(async () => {
    page = await browser.context.newPage();
  });

  afterEach(async () => {
    await page.close();
  });

  const open = async (fragment = `#token=${hub.adminToken}`) => {
    await page.goto(`${hub.url}/${fragment}`);
    await page.waitForSelector('body[data-feed="live"]', { timeout: 5000 });
  };

  it('moves the token from the URL fragment to session storage and out of the address bar', async () => {
    await open();
    expect(page.url()).to.equal(`${hub.url}/`);
    expect(await page.evaluate("sessionStorage.getItem('agentcom.adminToken')")).to.equal(hub.adminToken);
    await page.reload();
    await page.waitForSelector('body[data-feed="live"]');
  });

  it('asks for the token when it has none and refuses a wrong one', async () => {
    await page.goto(`${hub.url}/`);
    const dialog = page.locator('#token-dialog');
    await dialog.waitFor({ state: 'visible' });
    await page.fill('#token-input', 'not-the-admin-token');
    await page.click('#token-form button[type=submit]');
    await eventually(async () => expect(await page.textContent('#token-error')).to.match(/refused/));
    expect(await dialog.isVisible()).to.equal(true);
    await page.fill('#token-input', hub.adminToken);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('body[data-feed="live"]');
    expect(await dialog.isVisible()).to.equal(false);
  });

  it('changes an agent card within 1 s of each state change, and greys it when it goes offline', async () => {
    await open();
    const agent = await hub.agent('card-agent', 'hold', { capabilities: ['code', 'review'] });
    agents.push(agent);
    await eventually(async () => expect(await cardState(page, 'card-agent')).to.equal('idle'), 1000);
    expect(await page.locator('[data-agent="card-agent"] .chip').allTextContents()).to.deep.equal(['code', 'review']);

    const { task_id: taskId } = await hub.submit('hold me', { needed_capabilities: ['review'] });
    await eventually(async () => expect(await cardState(page, 'card-agent')).to.equal('working'), 1000);
    // The card names the task by its description, not its id.
    await eventually(async () => expect(await page.locator('[data-agent="card-agent"] .facts .task-link').textContent()).to.equal('hold me'), 1000);
    expect(await page.locator('[data-agent="card-agent"] .facts .task-link').getAttribute('aria-label')).to.equal(`Open task ${taskId}`);

    agent.behaviour = 'complete';
    agent.release();
    await eventually(async () => expect(await cardState(page, 'card-agent')).to.equal('idle'), 1000);
    await eventually(async () => expect(await page.locator('[data-agent="card-agent"] .facts').textContent()).to.match(/Done1/), 1000);

    await agent.close();
    await eventually(async () => expect(await cardState(page, 'card-agent')).to.equal('offline'), 1000);
    const opacity = await page.locator('[data-agent="card-agent"]').evaluate((card) => (globalThis as any).getComputedStyle(card).opacity as string);
    expect(Number(opacity)).to.be.below(1);
  });

  it('shows lane counts that match the API', async () => {
    await open();
    // No agent has this capability, so the tasks stay queued in their lanes.
    const lanes = { urgent: 3, high: 1, normal: 5, low: 2 };
    for (const [priority, n] of Object.entries(lanes)) {
      for (let i = 0; i < n; i += 1) await hub.submit(`${priority} ${i}`, { priority, needed_capabilities: ['gpu'] });
    }
    const stats = await hub.http('GET', '/api/tasks/stats');
    await eventually(async () => {
      const shown = await page.$$eval('#lanes .lane', (rows) => rows.map((row) => [row.getAttribute('data-lane'), row.querySelector('.lane-count')!.textContent]));
      expect(shown).to.deep.equal(['urgent', 'high', 'normal', 'low'].map((name, lane) => [name, String(stats.by_priority[String(lane)] ?? 0)]));
    });
    expect(stats.by_priority['0']).to.be.at.least(3);
  });

  it('lists tasks with filters and cursor paging, and opens a drawer with the history that Escape closes', async () => {
    for (let i = 0; i < 30; i += 1) await hub.submit(`paging ${i}`, { priority: 'low', needed_capabilities: ['paging'] });
    await open();
    await page.selectOption('#task-filters [name=priority]', '3');
    await page.fill('#task-filters [name=capability]', 'paging');
    await page.press('#task-filters [name=capability]', 'Enter');
    await eventually(async () => expect(await page.locator('#tasks tbody tr').count()).to.equal(25));
    const firstPage = await page.locator('#tasks tbody tr').first().getAttribute('data-task');
    await page.click('#pager button[aria-label="Next page"]');
    await eventually(async () => expect(await page.locator('#tasks tbody tr').count()).to.equal(5));
    expect(await page.locator('#tasks tbody tr .desc').first().textContent()).to.equal('paging 4');
    await page.click('#pager button[aria-label="Previous page"]');
    await eventually(async () => expect(await page.locator('#tasks tbody tr').first().getAttribute('data-task')).to.equal(firstPage));

    const opener = page.locator(`#tasks [data-task="${firstPage}"] button`);
    await opener.focus();
    await page.keyboard.press('Enter');
    await page.locator('#drawer').waitFor({ state: 'visible' });
    await eventually(async () => expect(await page.locator('#drawer .timeline li').count()).to.be.at.least(1));
    expect(await page.locator('#drawer .timeline li strong').first().textContent()).to.equal('queued');
    await page.keyboard.press('Escape');
    await page.locator('#drawer').waitFor({ state: 'hidden' });
    expect(await page.evaluate("document.activeElement?.closest('tr')?.getAttribute('data-task')")).to.equal(firstPage);
  });

  it('shows a dead-lettered task whose Retry button re-queues it', async () => {
    await open();
    const failing = await hub.agent('failing-agent', 'fail', { capabilities: ['flaky'] });
    const { task_id: taskId } = await hub.submit('always fails', { needed_capabilities: ['flaky'], max_retries: 0 });
    const row = page.locator(`#dead-letters [data-task="${taskId}"]`);
    await row.waitFor({ state: 'visible', timeout: 3000 });
    expect(await row.locator('.error').textContent()).to.contain('simulated failure');
    // Off the socket first, or the failing agent would take the retried task at once.
    await failing.close();

    await row.locator('button.retry').click();
    await eventually(async () => expect((await hub.http('GET', `/api/tasks/${taskId}`)).status).to.equal('queued'));
    await row.waitFor({ state: 'detached', timeout: 3000 });
    await eventually(async () => expect(await page.textContent('#toast')).to.contain('Requeued'));
  });

  it('shows a fired alert in the panel and badge, acknowledges it with its button, and drops it when it clears', async () => {
    await open();
    await hub.http('PUT', '/api/config/alert-thresholds', { stuck_task_ms: 1, check_interval_ms: 60_000 });
    const agent = await hub.agent('alert-agent', 'hold', { capabilities: ['alerting'] });
    agents.push(agent);
    const { task_id: taskId } = await hub.submit('held past stuck_task_ms', { needed_capabilities: ['alerting'] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const checkNow = () => hub.running.root.system.get('alerter')!.send({ type: 'alerter.check_now' });
    checkNow();
    const row = page.locator('#alerts [data-rule="stuck_tasks"]');
    await eventually(async () => expect(await row.count()).to.equal(1), 3000);
    expect(await row.getAttribute('data-severity')).to.equal('critical');
    expect(await page.textContent('#alert-badge')).to.not.equal('0');
    await row.locator('button.ack').click();
    await eventually(async () => expect(await row.getAttribute('class')).to.include('acked'), 3000);
    // Other alerts may be active too (an earlier test dead-lettered a task): look at this one.
    const alerts = (await hub.http('GET', '/api/alerts')).alerts as Array<{ rule_id: string }>;
    expect(alerts.find((alert) => alert.rule_id === 'stuck_tasks')).to.include({ rule_id: 'stuck_tasks', acknowledged: true });
    await hub.http('POST', `/api/tasks/${taskId}/cancel`);
    await hub.http('PUT', '/api/config/alert-thresholds', { stuck_task_ms: 300_000, check_interval_ms: 30_000 });
    checkNow();
    await eventually(async () => expect(await row.count()).to.equal(0), 3000);
  });

  it('shows completions with their pull request links', async () => {
    const agent = await hub.agent('pr-agent', 'complete', { capabilities: ['git'], result: { pr_url: 'https://github.com/acme/app/pull/42' } });
    agents.push(agent);
    await open();
    const { task_id: taskId } = await hub.submit('open a PR', { needed_capabilities: ['git'] });
    const link = page.locator(`#completions [data-task="${taskId}"] a.pr-link`);
    await link.waitFor({ timeout: 3000 });
    expect(await link.getAttribute('href')).to.equal('https://github.com/acme/app/pull/42');
    expect(await link.textContent()).to.equal('PR #42');
  });

  it('says which lease a held-back task waits for, and moves it to another lane from the drawer', async () => {
    const holder = await hub.agent('lease-holder', 'hold', { capabilities: ['lease-ui'] });
    agents.push(holder);
    const { task_id: first } = await hub.submit('edit the parser', { needed_capabilities: ['lease-ui'], paths: ['src/parser/**'] });
    await eventually(async () => expect(holder.held.map((task) => task.task_id)).to.include(first));
    const { task_id: second } = await hub.submit('fix a parser test', { needed_capabilities: ['lease-ui'], paths: ['src/parser/test.ts'], priority: 'low' });
    const idle = await hub.agent('lease-idle', 'hold', { capabilities: ['lease-ui'] });
    agents.push(idle);
    await eventually(async () => expect((await hub.http('GET', `/api/tasks/${second}`)).waiting_for_lease?.task_id).to.equal(first));
    await open();
    await page.selectOption('#task-filters [name=status]', 'queued');
    await page.locator(`#tasks [data-task="${second}"] button`).click();
    await page.locator('#drawer [data-field="waiting-for-lease"]').waitFor();
    expect(await page.textContent('#drawer [data-field="waiting-for-lease"]')).to.contain('src/parser/**').and.contain('lease-holder');
    await page.selectOption('#drawer [data-action="lane"]', '0');
    await page.click('#drawer [data-action="reprioritise"]');
    await eventually(async () => expect((await hub.http('GET', `/api/tasks/${second}`)).priority).to.equal(0));
    await eventually(async () => expect(await page.locator('#drawer .timeline li strong').first().textContent()).to.equal('reprioritised'));
  });

  it('counts waiting tasks and shows a workflow in the drawer: links and a graph coloured by status', async () => {
    const graph = await hub.http('POST', '/api/tasks/bulk', { tasks: [
      { ref: 'plan', description: 'wf plan', needed_capabilities: ['wf'] },
      { ref: 'build', description: 'wf build', needed_capabilities: ['wf'], depends_on_refs: ['plan'] },
      { ref: 'ship', description: 'wf ship', needed_capabilities: ['wf'], depends_on_refs: ['build'] },
    ] });
    const [plan, build, ship] = graph.results.map((result: { task_id: string }) => result.task_id);
    await open();
    await eventually(async () => expect(await page.textContent('#lanes + .lane-foot')).to.contain('2 waiting'));
    await page.selectOption('#task-filters [name=status]', 'waiting');
    await page.locator(`#tasks [data-task="${build}"] button`).click();
    await page.locator('#drawer .workflow').waitFor();
    expect(await page.locator(`#drawer .workflow [data-task="${plan}"]`).count()).to.equal(1);
    expect(await page.locator(`#drawer .workflow [data-task="${ship}"]`).count()).to.equal(1);
    await eventually(async () => expect(await page.locator('#drawer .wf-node').count()).to.equal(3));
    expect(await page.locator(`#drawer .wf-node[data-task="${plan}"]`).getAttribute('data-status')).to.equal('queued');
    expect(await page.locator(`#drawer .wf-node[data-task="${ship}"]`).getAttribute('class')).to.contain('s-waiting');
    await page.locator(`#drawer .wf-node[data-task="${ship}"]`).click();
    await eventually(async () => expect(await page.locator('#drawer .wf-current').getAttribute('data-task')).to.equal(ship));
    await page.keyboard.press('Escape');
  });

  it('lists schedules and pauses and resumes one', async () => {
    const schedule = await hub.http('POST', '/api/schedules', { cron: '0 3 * * *', timezone: 'UTC', task: { description: 'nightly triage' }, name: 'triage' });
    await open();
    const row = page.locator(`#schedules [data-schedule="${schedule.id}"]`);
    await row.waitFor({ timeout: 5000 });
    expect(await row.locator('.desc').textContent()).to.equal('triage');
    await row.locator('button.toggle').click();
    await eventually(async () => expect(await row.getAttribute('data-paused')).to.equal('true'));
    expect((await hub.http('GET', `/api/schedules/${schedule.id}`)).paused).to.equal(true);
    await row.locator('button.toggle').click();
    await eventually(async () => expect(await row.getAttribute('data-paused')).to.equal('false'));
  });

  it('shows "reconnecting" while the hub is down and resyncs from a fresh snapshot when it is back', async function () {
    this.timeout(120_000);
    await open();
    await hub.stop();
    await page.waitForSelector('#banner:not([hidden])', { timeout: 3000 });
    expect(await page.textContent('#banner')).to.match(/Reconnecting/);
    expect(await page.getAttribute('body', 'data-feed')).to.equal('reconnecting');

    await hub.start();
    // Submitted after the restart: the page can only know it from the new hub.
    await hub.submit('after restart', { priority: 'urgent', needed_capabilities: ['gpu'] });
    await page.waitForSelector('body[data-feed="live"]', { timeout: 10_000 });
    expect(await page.isHidden('#banner')).to.equal(true);
    const stats = await hub.http('GET', '/api/tasks/stats');
    await eventually(async () => expect(await page.textContent('#lanes [data-lane="urgent"] .lane-count')).to.equal(String(stats.by_priority['0'])));
  });

  it('shows long agent names whole, and a removed agent leaves the board', async () => {
    await open();
    const agent = await hub.agent('of-course-i-still-love-you-really', 'hold');
    agents.push(agent);
    const name = page.locator('[data-agent="of-course-i-still-love-you-really"] .agent-name');
    await name.waitFor({ timeout: 3000 });
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).to.equal(true);
    expect(await name.textContent()).to.equal('of-course-i-still-love-you-really');

    await hub.http('DELETE', '/admin/tokens/of-course-i-still-love-you-really');
    await page.locator('[data-agent="of-course-i-still-love-you-really"]').waitFor({ state: 'detached', timeout: 3000 });
    await page.reload();
    await page.waitForSelector('body[data-feed="live"]');
    expect(await page.locator('[data-agent="of-course-i-still-love-you-really"]').count()).to.equal(0);
  });

  it("cancels a task from its drawer, and the drawer shows a completed task's branch and compare link", async () => {
    await open();
    const { task_id: queued } = await hub.submit('cancel me', { needed_capabilities: ['nobody-has-this'] });
    await page.locator(`#tasks [data-task="${queued}"] button`).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#drawer [data-action="cancel"]').click();
    await eventually(async () => expect((await hub.http('GET', `/api/tasks/${queued}`)).status).to.equal('cancelled'));
    await eventually(async () => expect(await page.locator('#drawer .fields .status').textContent()).to.equal('cancelled'));
    expect(await page.locator('#drawer [data-action="cancel"]').count()).to.equal(0);
    await page.keyboard.press('Escape');

    const where = { branch: 'pr-agent/fix-it', commit: '0123456789abcdef0123', compare_url: 'https://git.example.com/acme/app/compare/main...pr-agent/fix-it', pr_url: null };
    const agent = await hub.agent('branch-agent', 'complete', { capabilities: ['branchy'], result: where });
    agents.push(agent);
    const { task_id: done } = await hub.submit('push a branch', { needed_capabilities: ['branchy'] });
    await eventually(async () => expect((await hub.http('GET', `/api/tasks/${done}`)).status).to.equal('completed'));
    await page.evaluate(() => (globalThis as any).location.reload());
    await page.waitForSelector('body[data-feed="live"]');
    await page.locator(`#tasks [data-task="${done}"] button`).click();
    const branch = page.locator('#drawer a[data-field="branch"]');
    await branch.waitFor({ timeout: 3000 });
    expect(await branch.textContent()).to.equal('pr-agent/fix-it');
    expect(await branch.getAttribute('href')).to.equal(where.compare_url);
    expect(await page.locator('#drawer .fields').textContent()).to.contain('0123456789ab');
  });

  it('tells an operator how to get a token, not only from the first start', async () => {
    await page.goto(`${hub.url}/`);
    await page.locator('#token-dialog').waitFor({ state: 'visible' });
    const text = await page.textContent('#token-dialog');
    expect(text).to.contain('agentcom token create --admin').and.contain('AGENTCOM_ADMIN_TOKEN');
  });

  it('shows a retry waiting out its backoff as "retrying in N s"', async () => {
    const failing = await hub.agent('backoff-agent', 'fail', { capabilities: ['backoff'] });
    const { task_id: taskId } = await hub.submit('fails once', { needed_capabilities: ['backoff'], max_retries: 1, retry_backoff_ms: 60_000 });
    await eventually(async () => expect((await hub.http('GET', `/api/tasks/${taskId}`)).status).to.equal('delayed'));
    await failing.close();
    await open();
    await page.selectOption('#task-filters [name=status]', 'delayed');
    const status = page.locator(`#tasks [data-task="${taskId}"] .status`);
    await status.waitFor({ timeout: 3000 });
    expect(await status.textContent()).to.match(/^retrying in (\d+) s$/);
    const seconds = Number((await status.textContent())!.match(/(\d+)/)![1]);
    expect(seconds).to.be.within(25, 60);
  });
});
