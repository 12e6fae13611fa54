import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ok, fail } from '../../../storage/domain/errors.ts';
import type { TaskAssign } from '../../../sidecar/hub-messages.ts';
import { resultFilePath } from '../../../sidecar/result-files.ts';
import { parseSidecarConfig, type SidecarConfig } from '../../../sidecar/sidecar-config.ts';
import { silentLogger } from '../../../sidecar/sidecar-logger.ts';
import { TaskQueueFile, type LocalTask } from '../../../sidecar/task-queue-file.ts';
import type { GitWorkflow } from '../../../sidecar/task-git-steps.ts';
import { TaskRunner } from '../../../sidecar/task-runner.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

type Sent = Record<string, unknown>;


const assign = (overrides: Partial<TaskAssign> = {}): TaskAssign => ({
  type: 'task_assign',
  task_id: 'task-00000000000000a1',
  description: 'add a health check',
  metadata: { priority: 'high' },
  generation: 4,
  assigned_at: 1_700_000_000_000,
  ...overrides,
});

describe('TaskRunner', () => {
  let dir: TempDir;
  let sent: Sent[];
  let identified: boolean;
  let runner: TaskRunner;
  let config: SidecarConfig;
  let wakeLog: string;
  let onSend: (message: Sent) => void;

  function makeConfig(overrides: Record<string, unknown> = {}): SidecarConfig {
    const result = parseSidecarConfig(
      {
        agent_id: 'gcu-test',
        token: 't'.repeat(64),
        hub_url: 'ws://127.0.0.1:1/ws',
        wake_command: [process.execPath, path.join(dir.path, 'wake.cjs'), '${TASK_ID}'],
        wake_retry_delays_ms: [10, 10, 10],
        result_poll_interval_ms: 20,
        progress_interval_ms: 60_000,
        ...overrides,
      },
      path.join(dir.path, 'config.json'),
    );
    if (!result.ok) throw new Error(result.detail);
    return result.value;
  }

  function makeRunner(git: GitWorkflow = { startTask: async () => fail('AC_ERR_GIT', 'unused'), submit: async () => fail('AC_ERR_GIT', 'unused') }): TaskRunner {
    const log = sent;
    runner = new TaskRunner({
      config,
      queue: new TaskQueueFile(config.queue_file),
      send: async (message) => {
        if (!identified) return 'not_connected';
        log.push(message);
        onSend(message);
        return 'sent';
      },
      isIdentified: () => identified,
      log: silentLogger(),
      git,
    });
    return runner;
  }

  const ofType = (type: string) => sent.filter((message) => message.type === type);
  const writeResult = (body: unknown, taskId = 'task-00000000000000a1') => {
    mkdirSync(config.results_dir, { recursive: true });
    writeFileSync(resultFilePath(config.results_dir, taskId, 'result'), JSON.stringify(body));
  };
  const queueOnDisk = () => JSON.parse(readFileSync(config.queue_file, 'utf8'));
  const wakeRuns = () => (existsSync(wakeLog) ? readFileSync(wakeLog, 'utf8').trim().split('\n').length : 0);

  beforeEach(() => {
    dir = makeTempDir('sidecar-runner');
    sent = [];
    identified = true;
    onSend = () => undefined;
    wakeLog = path.join(dir.path, 'wake.log');
    // The default wake script records the run and confirms the start.
    writeFileSync(
      path.join(dir.path, 'wake.cjs'),
      `const fs=require('fs'),p=require('path');fs.appendFileSync(${JSON.stringify(wakeLog)},process.argv[2]+'\\n');` +
        `fs.writeFileSync(p.join(process.env.AGENTCOM_RESULTS_DIR,process.argv[2]+'.started'),'');`,
    );
    config = makeConfig();
  });
  afterEach(async () => {
    runner?.stop();
    // A wake command the runner started may still be finishing its last write into the folder.
    for (let attempt = 0; ; attempt++) {
      try {
        dir.remove();
        return;
      } catch (error) {
        if (attempt >= 30) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  it('hands the results of the tasks it depended on to the agent in the task JSON', async () => {
    const taskJsonLog = path.join(dir.path, 'task-json.log');
    writeFileSync(
      path.join(dir.path, 'wake.cjs'),
      `const fs=require('fs'),p=require('path');fs.writeFileSync(${JSON.stringify(taskJsonLog)},process.env.AGENTCOM_TASK_JSON);` +
        `fs.writeFileSync(p.join(process.env.AGENTCOM_RESULTS_DIR,process.argv[2]+'.started'),'');`,
    );
    const dependencies = [{ task_id: 'task-plan', status: 'completed', result: { plan: 'three steps' } }];
    await makeRunner().init();
    runner.handle(assign({ dependencies }));
    // The wake script writes the task JSON, then the .started marker: wait for the marker, so the file is whole.
    await waitFor(() => existsSync(path.join(config.results_dir, 'task-00000000000000a1.started')));
    expect(JSON.parse(readFileSync(taskJsonLog, 'utf8')).dependencies).to.deep.equal(dependencies);
  });

  it('persists the task before it sends task_accepted', async () => {
    let activeOnDiskAtAccept: unknown = 'not sent';
    onSend = (message) => {
      if (message.type === 'task_accepted') activeOnDiskAtAccept = queueOnDisk().active?.task_id;
    };
    await makeRunner().init();
    runner.handle(assign());
    await waitFor(() => ofType('task_accepted').length === 1);
    expect(activeOnDiskAtAccept).to.equal('task-00000000000000a1');
  });

  it('rejects a second task as busy while one is active', async () => {
    await makeRunner().init();
    runner.handle(assign());
    await waitFor(() => ofType('task_accepted').length === 1);
    runner.handle(assign({ task_id: 'task-00000000000000b2' }));
    await waitFor(() => ofType('task_rejected').length === 1);
    expect(ofType('task_rejected')[0]).to.deep.equal({ type: 'task_rejected', task_id: 'task-00000000000000b2', reason: 'busy' });
  });

  it('completes the task with its generation, result and tokens_used, then clears files and queue', async () => {
    await makeRunner().init();
    runner.handle(assign());
    await waitFor(() => wakeRuns() === 1);
    writeResult({ status: 'success', output: 'done', tokens_used: 321 });
    await waitFor(() => ofType('task_complete').length === 1);
    expect(ofType('task_complete')[0]).to.deep.equal({
      type: 'task_complete',
      task_id: 'task-00000000000000a1',
      generation: 4,
      result: { status: 'success', output: 'done', tokens_used: 321 },
      tokens_used: 321,
    });
    await waitFor(() => queueOnDisk().active === null);
    // The files go after the queue entry is cleared; under load that can take a moment.
    await waitFor(() => !existsSync(resultFilePath(config.results_dir, 'task-00000000000000a1', 'result')));
    await waitFor(() => !existsSync(resultFilePath(config.results_dir, 'task-00000000000000a1', 'started')));
  });

  it('fails the task when the agent reports failure', async () => {
    await makeRunner().init();
    runner.handle(assign());
    writeResult({ status: 'failed', reason: 'cannot reproduce' });
    await waitFor(() => ofType('task_failed').length === 1);
    expect(ofType('task_failed')[0]).to.deep.equal({ type: 'task_failed', task_id: 'task-00000000000000a1', generation: 4, reason: 'cannot reproduce' });
  });

  it('retries the wake and then fails the task with wake_failed_after_3_attempts', async () => {
    writeFileSync(path.join(dir.path, 'wake.cjs'), `require('fs').appendFileSync(${JSON.stringify(wakeLog)},'x\\n');console.error('gateway down');process.exit(2)`);
    await makeRunner().init();
    runner.handle(assign());
    await waitFor(() => ofType('task_failed').length === 1);
    const failed = ofType('task_failed')[0];
    expect(failed.generation).to.equal(4);
    expect(failed.reason).to.match(/^wake_failed_after_3_attempts: exit code 2; stderr: gateway down/);
    expect(wakeRuns()).to.equal(4);
  });

  it('fails the task with confirmation_timeout when the agent never writes .started', async () => {
    writeFileSync(path.join(dir.path, 'wake.cjs'), '');
    config = makeConfig({ confirmation_timeout_ms: 100 });
    await makeRunner().init();
    runner.handle(assign());
    await waitFor(() => ofType('task_failed').length === 1);
    expect(ofType('task_failed')[0]).to.deep.include({ reason: 'confirmation_timeout', generation: 4 });
  });

  it('sends task_progress with the generation while the task runs', async () => {
    config = makeConfig({ progress_interval_ms: 30 });
    await makeRunner().init();
    runner.handle(assign());
    await waitFor(() => ofType('task_progress').length >= 2);
    expect(ofType('task_progress')[0]).to.deep.equal({ type: 'task_progress', task_id: 'task-00000000000000a1', generation: 4 });
  });

  it('runs git start-task on accept and adds the PR link on success when repo_dir is set', async () => {
    config = makeConfig({ repo_dir: dir.path });
    const calls: string[] = [];
    await makeRunner({
      startTask: async (input) => {
        calls.push(`start ${input.agentId} ${input.taskId}`);
        return ok({ branch: 'gcu-test/add-a-health-check', base_commit: 'abc', repo_dir: input.repoDir });
      },
      submit: async (input) => {
        calls.push(`submit ${input.task?.task_id}`);
        return ok({ branch: 'gcu-test/add-a-health-check', commit: 'f00d', commits_ahead: 1, pr_url: 'https://github.com/o/r/pull/7', compare_url: 'https://github.com/o/r/compare/main...gcu-test/add-a-health-check?expand=1' });
      },
    }).init();
    runner.handle(assign());
    await waitFor(() => wakeRuns() === 1);
    writeResult({ status: 'success' });
    await waitFor(() => ofType('task_complete').length === 1);
    expect(calls).to.deep.equal(['start gcu-test task-00000000000000a1', 'submit task-00000000000000a1']);
    expect(ofType('task_complete')[0].result).to.deep.include({
      branch: 'gcu-test/add-a-health-check', commit: 'f00d', pr_url: 'https://github.com/o/r/pull/7',
      compare_url: 'https://github.com/o/r/compare/main...gcu-test/add-a-health-check?expand=1',
    });
  });

  it('holds a report while disconnected and sends it once after identify', async () => {
    await makeRunner().init();
    runner.handle(assign());
    await waitFor(() => wakeRuns() === 1);
    identified = false;
    writeResult({ status: 'success' });
    await waitFor(() => queueOnDisk().active?.status === 'reporting');
    expect(ofType('task_complete')).to.have.length(0);
    identified = true;
    runner.onIdentified();
    runner.onIdentified();
    await waitFor(() => queueOnDisk().active === null);
    expect(ofType('task_complete')).to.have.length(1);
  });

  describe('recovery', () => {
    const leftover = (overrides: Partial<LocalTask> = {}): LocalTask => ({
      task_id: 'task-00000000000000a1',
      description: 'add a health check',
      metadata: {},
      status: 'working',
      assigned_at: 1,
      generation: 4,
      wake_attempts: 1,
      ...overrides,
    });

    it('asks the hub with task_recovering after identify', async () => {
      await new TaskQueueFile(config.queue_file).save({ active: leftover(), recovering: null });
      await makeRunner().init();
      expect(queueOnDisk()).to.deep.include({ active: null });
      runner.onIdentified();
      await waitFor(() => ofType('task_recovering').length === 1);
      expect(ofType('task_recovering')[0]).to.deep.equal({
        type: 'task_recovering',
        task_id: 'task-00000000000000a1',
        description: 'add a health check',
        metadata: {},
        last_status: 'working',
      });
    });

    it('resumes on task_continue with the new generation, without accepting or waking again', async () => {
      await new TaskQueueFile(config.queue_file).save({ active: leftover(), recovering: null });
      await makeRunner().init();
      runner.onIdentified();
      runner.handle({ type: 'task_continue', task_id: 'task-00000000000000a1', generation: 9 });
      await waitFor(() => queueOnDisk().active?.generation === 9);
      writeResult({ status: 'success' });
      await waitFor(() => ofType('task_complete').length === 1);
      expect(ofType('task_complete')[0].generation).to.equal(9);
      expect(ofType('task_accepted')).to.have.length(0);
      expect(wakeRuns()).to.equal(0);
    });

    it('sends a report left unsent by the crash with the new generation', async () => {
      const report = { type: 'task_complete', task_id: 'task-00000000000000a1', result: { status: 'success' } };
      await new TaskQueueFile(config.queue_file).save({ active: leftover({ status: 'reporting', report }), recovering: null });
      await makeRunner().init();
      runner.handle({ type: 'task_continue', task_id: 'task-00000000000000a1', generation: 9 });
      await waitFor(() => ofType('task_complete').length === 1);
      expect(ofType('task_complete')[0]).to.deep.equal({ ...report, generation: 9 });
    });

    it('never sends a report a second time after a crash right after sending', async () => {
      const report = { type: 'task_complete', task_id: 'task-00000000000000a1', result: { status: 'success' } };
      await new TaskQueueFile(config.queue_file).save({ active: leftover({ status: 'reported', report }), recovering: null });
      await makeRunner().init();
      runner.onIdentified();
      runner.handle({ type: 'task_continue', task_id: 'task-00000000000000a1', generation: 9 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sent).to.deep.equal([]);
      expect(queueOnDisk()).to.deep.equal({ active: null, recovering: null });
    });

    it('drops the task on task_reassign', async () => {
      await new TaskQueueFile(config.queue_file).save({ active: leftover(), recovering: null });
      await makeRunner().init();
      runner.handle({ type: 'task_reassign', task_id: 'task-00000000000000a1' });
      await waitFor(() => queueOnDisk().recovering === null);
      writeResult({ status: 'success' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ofType('task_complete')).to.have.length(0);
    });
  });
});
