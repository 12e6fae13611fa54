// The one `agentcom` CLI against a real hub: one submit (also as `tasks submit`) with every
// option and the id alone on stdout, and the 3 a.m. commands: cancel, dead letters in bulk,
// log level. Run through the bin, as an operator runs it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

const cliBin = path.resolve('runtime/bin/agentcom.mjs');

describe('agentcom operator commands', function () {
  this.timeout(60_000);
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, AGENTCOM_HUB_URL: hub.url, AGENTCOM_TOKEN: hub.adminToken };
    delete env.AGENTCOM_ADMIN_TOKEN;
    return new Promise((resolve) => {
      execFile(process.execPath, [cliBin, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  it('submits with every option and prints the id alone, the same as `tasks submit`', async () => {
    const args = [
      'fix the flaky test', '--priority', 'high', '--capability', 'ts', '--capability', 'git,docs', '--metadata', '{"repo":"x"}',
      '--target', 'gcu-a', '--complete-by', '2031-01-01T00:00:00Z', '--max-retries', '2', '--retry-backoff-ms', '1000',
      '--retry-backoff-max-ms', '9000', '--delay-ms', '60000', '--idempotency-key', 'cli-key-1',
    ];
    const first = await cli('submit', ...args);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^task-[0-9a-f]+\n$/);
    const again = await cli('tasks', 'submit', ...args);
    expect(again.stdout, 'the same idempotency key through `tasks submit`').to.equal(first.stdout);
    const { body: task } = await hub.http('GET', `/api/tasks/${first.stdout.trim()}`);
    expect(task).to.include({
      priority: 1, max_retries: 2, retry_backoff_ms: 1000, retry_backoff_max_ms: 9000, status: 'delayed',
      complete_by: Date.parse('2031-01-01T00:00:00Z'), idempotency_key: 'cli-key-1',
    });
    expect(task.needed_capabilities).to.deep.equal(['docs', 'git', 'ts']);
    expect(task.metadata).to.deep.equal({ repo: 'x', target_agent: 'gcu-a' });
    const json = await cli('submit', 'as json', '--json', '--priority', '0');
    expect(JSON.parse(json.stdout)).to.include({ status: 'queued', priority: 0 });
    expect((await cli('cancel', JSON.parse(json.stdout).task_id)).code).to.equal(0);
  });

  it('submits with --path and moves a queued task to another lane with `tasks priority`', async () => {
    const id = (await cli('submit', 'edit the parser', '--priority', 'low', '--path', 'src/parser/**', '--path', 'docs/parser.md')).stdout.trim();
    expect((await hub.http('GET', `/api/tasks/${id}`)).body.paths).to.deep.equal(['src/parser/**', 'docs/parser.md']);
    const moved = await cli('tasks', 'priority', id, 'urgent');
    expect(moved.code, moved.stderr).to.equal(0);
    expect(moved.stdout).to.equal(`${id} low -> urgent\n`);
    expect((await hub.http('GET', `/api/tasks/${id}`)).body.priority).to.equal(0);
    const bad = await cli('tasks', 'priority', id, 'someday');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('422');
    expect((await cli('cancel', id)).code).to.equal(0);
    const refused = await cli('tasks', 'priority', id, '1');
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('AC_ERR_INVALID_STATE');
  });

  it('cancels, retries and purges dead letters in bulk, and sets the log level', async () => {
    const agent = await hub.connectAgent('ops-agent');
    const dead: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = (await cli('submit', `doomed ${i}`, '--max-retries', '0')).stdout.trim();
      const assign = await agent.ws.nextMessage('task_assign');
      await agent.ws.request({ type: 'task_failed', task_id: id, generation: assign.generation, reason: 'nope' }, 'task_ack');
      dead.push(id);
    }
    await agent.ws.close();
    const listed = await cli('dead-letters', 'list', '--json');
    expect(JSON.parse(listed.stdout).map((t: { id: string }) => t.id).sort()).to.deep.equal([...dead].sort());

    const retried = await cli('dead-letters', 'retry', '--all');
    expect(retried.stdout).to.equal('requeued 3 dead letters\n');
    for (const id of dead) expect((await hub.http('GET', `/api/tasks/${id}`)).body.status).to.equal('queued');

    const cancelled = await cli('cancel', ...dead);
    expect(cancelled.stdout.trim().split('\n')).to.deep.equal(dead.map((id) => `${id} cancelled`));

    const refused = await cli('dead-letters', 'retry');
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('--all');
    const purged = await cli('dead-letters', 'purge', '--all');
    expect(purged.stdout).to.equal('purged 0 dead letters\n');

    expect((await cli('log-level', 'debug')).stdout).to.equal('log level debug\n');
    const badLevel = await cli('log-level', 'loud');
    expect(badLevel.code).to.equal(1);
    expect(badLevel.stderr).to.contain('AC_ERR_INVALID_LOG_LEVEL');
  });
});
