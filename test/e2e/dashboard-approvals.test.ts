// The approvals inbox in a real Chromium against a real hub: a gated task approved and
// another rejected from the page, and an agent's question answered with one click.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { eventually, HubUnderTest, launchBrowser, serveDashboard, type DashboardServing, type TestBrowser } from '../support/browser.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

/** An agent socket that accepts its task and then asks a question about it. */
async function askingAgent(hub: HubUnderTest, id: string) {
  const registered = await hub.running.hub.access.registerAgent(id);
  if (!registered.ok) throw new Error(registered.code);
  const socket = new WebSocket(`${hub.url.replace('http', 'ws')}/ws`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const frames: Array<Record<string, unknown>> = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Record<string, unknown>;
    frames.push(frame);
    if (frame.type === 'task_assign') {
      socket.send(JSON.stringify({ type: 'task_accepted', task_id: frame.task_id, generation: frame.generation }));
      socket.send(JSON.stringify({
        type: 'approval_request', task_id: frame.task_id, generation: frame.generation, question_id: 'q-dash',
        question: 'Deploy to staging now?', options: ['yes', 'no'],
      }));
    }
  });
  socket.send(JSON.stringify({ type: 'identify', agent_id: id, token: registered.value.token, capabilities: ['ask'], protocol_version: 1 }));
  return { frames, close: () => socket.close() };
}

describe('dashboard approvals inbox (Chromium)', function () {
  this.timeout(60_000);
  let dir: TempDir;
  let hub: HubUnderTest;
  let browser: TestBrowser;
  let serving: DashboardServing;
  let page: Page;

  before(async () => {
    dir = makeTempDir('dashboard-approvals');
    hub = new HubUnderTest(dir.path);
    await hub.start();
    browser = await launchBrowser();
    serving = await serveDashboard(browser.context, hub.url);
    page = await browser.context.newPage();
    await page.goto(`${hub.url}/#token=${hub.adminToken}`);
    await page.waitForSelector('body[data-feed="live"]', { timeout: 5000 });
  });

  after(async () => {
    await page?.close();
    await browser?.close();
    serving?.close();
    await hub?.stop();
    dir?.remove();
  });

  const status = async (id: string) => (await hub.http('GET', `/api/tasks/${id}`)).status as string;

  it('lists a gated task as it is submitted and approves it with one click', async () => {
    const { task_id: taskId } = await hub.submit('migrate the billing tables', { requires_approval: true, needed_capabilities: ['nobody-has-this'] });
    const row = page.locator(`#approvals [data-approval-task="${taskId}"]`);
    await eventually(async () => expect(await row.locator('.desc').textContent()).to.equal('migrate the billing tables'), 3000);
    expect(await page.textContent('#approvals-count')).to.equal('(1)');
    await row.locator('button.approve').click();
    await eventually(async () => expect(await status(taskId)).to.equal('queued'));
    await eventually(async () => expect(await row.count()).to.equal(0));
  });

  it('rejects only with a reason', async () => {
    const { task_id: taskId } = await hub.submit('delete the old backups', { requires_approval: true });
    const row = page.locator(`#approvals [data-approval-task="${taskId}"]`);
    await row.waitFor({ timeout: 3000 });
    await row.locator('button.reject').click();
    await eventually(async () => expect(await page.textContent('#toast')).to.match(/reason/));
    expect(await status(taskId)).to.equal('awaiting_approval');
    await row.locator('input.reason').fill('we keep those for a year');
    await row.locator('button.reject').click();
    await eventually(async () => expect(await status(taskId)).to.equal('cancelled'));
    expect((await hub.http('GET', `/api/tasks/${taskId}`)).last_error).to.equal('rejected: we keep those for a year');
    await eventually(async () => expect(await row.count()).to.equal(0));
  });

  it("shows an agent's question with its options and sends the clicked one back to the agent", async () => {
    const agent = await askingAgent(hub, 'dash-asker');
    try {
      await hub.submit('deploy when told', { needed_capabilities: ['ask'] });
      const row = page.locator('#approvals li.question');
      await eventually(async () => expect(await row.locator('.desc').textContent()).to.equal('Deploy to staging now?'), 5000);
      expect(await row.locator('button.option').allTextContents()).to.deep.equal(['yes', 'no']);
      await row.locator('button.option', { hasText: 'yes' }).click();
      await eventually(async () => expect(agent.frames.find((frame) => frame.type === 'approval_answer')).to.include({ answer: 'yes', question_id: 'q-dash' }));
      await eventually(async () => expect(await row.count()).to.equal(0));
    } finally {
      agent.close();
    }
  });
});
