// Lease request files: parsing against the hub's own frame schemas, and the task runner's
// one-send rule across link drops and restarts (a real TaskRunner on real files in a temp dir;
// the hub side is the frames it would send, and `identified` stands for the link).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { taskLimits } from '../../../storage/domain/task-limits.ts';
import type { HubMessage, TaskAssign } from '../../../sidecar/hub-messages.ts';
import { leaseFilePath, parseLeaseRequest } from '../../../sidecar/lease-files.ts';
import { parseSidecarConfig, type SidecarConfig } from '../../../sidecar/sidecar-config.ts';
import { silentLogger } from '../../../sidecar/sidecar-logger.ts';
import { TaskQueueFile } from '../../../sidecar/task-queue-file.ts';
import { TaskRunner } from '../../../sidecar/task-runner.ts';
import { fail } from '../../../storage/domain/errors.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const taskId = 'task-00000000000000l1';
const task = { task_id: taskId, generation: 3 };

describe('lease request files', () => {
  it('turns an acquire into the frame for the assignment, keeping the agent\'s id', () => {
    const parsed = parseLeaseRequest(JSON.stringify({ action: 'acquire', paths: ['src/**'], repo: 'api', id: 'a-1' }), '1:1', task);
    expect(parsed).to.deep.equal({
      ok: true,
      request: {
        requestId: 'a-1', action: 'acquire',
        frame: { type: 'lease_acquire', task_id: taskId, generation: 3, paths: ['src/**'], repo: 'api', request_id: 'a-1' },
      },
    });
  });

  it('derives a request id from content and stamp, the same each time the same file is read', () => {
    const text = JSON.stringify({ action: 'release', lease_id: 'lease-00ff' });
    const first = parseLeaseRequest(text, '10:1', task);
    const again = parseLeaseRequest(text, '10:1', task);
    const later = parseLeaseRequest(text, '10:2', task);
    expect(first.ok && first.request.requestId).to.match(/^lr-[0-9a-f]{16}$/).and.equal(again.ok && again.request.requestId);
    expect(later.ok && later.request.requestId).to.not.equal(first.ok && first.request.requestId);
  });

  it('takes its limits from the hub\'s schema', () => {
    const tooMany = Array.from({ length: taskLimits.paths + 1 }, (_, index) => `f${index}.ts`);
    const parsed = parseLeaseRequest(JSON.stringify({ action: 'acquire', paths: tooMany }), '1:1', task);
    expect(parsed.ok).to.equal(false);
    if (!parsed.ok) expect(parsed.errors).to.deep.include({ field: 'paths', message: `must NOT have more than ${taskLimits.paths} items` });
    const justRight = parseLeaseRequest(JSON.stringify({ action: 'acquire', paths: tooMany.slice(1) }), '1:1', task);
    expect(justRight.ok).to.equal(true);
  });

  for (const [what, text, field] of [
    ['an acquire without paths', { action: 'acquire' }, 'paths'],
    ['an empty path list', { action: 'acquire', paths: [] }, 'paths'],
    ['an absolute path', { action: 'acquire', paths: ['/etc/**'] }, 'paths.0'],
    ['a release without lease id', { action: 'release' }, 'lease_id'],
    ['an id that is not a string', { action: 'release', lease_id: 'lease-1', id: 7 }, 'id'],
  ] as const) {
    it(`refuses ${what}, naming the field`, () => {
      const parsed = parseLeaseRequest(JSON.stringify(text), '1:1', task);
      expect(parsed.ok).to.equal(false);
      if (!parsed.ok) expect(parsed.errors?.map((error) => error.field)).to.include(field);
    });
  }
});

describe('TaskRunner with lease request files', () => {
  let dir: TempDir;
  let config: SidecarConfig;
  let sent: Array<Record<string, unknown>>;
  let identified: boolean;
  let runner: TaskRunner;

  const assign: TaskAssign = { type: 'task_assign', task_id: taskId, description: 'lease', metadata: {}, generation: 3 };
  const leaseFrames = () => sent.filter((frame) => String(frame.type).startsWith('lease_'));
  const file = (kind: 'lease' | 'lease-result' | 'lease-sent') => leaseFilePath(config.results_dir, taskId, kind);
  const writeRequest = (body: unknown) => {
    mkdirSync(config.results_dir, { recursive: true });
    writeFileSync(`${file('lease')}.tmp`, JSON.stringify(body));
    renameSync(`${file('lease')}.tmp`, file('lease'));
  };
  const resultFile = () => JSON.parse(readFileSync(file('lease-result'), 'utf8')) as Record<string, unknown>;

  function makeRunner(): TaskRunner {
    runner = new TaskRunner({
      config,
      queue: new TaskQueueFile(config.queue_file),
      send: async (message) => {
        if (!identified) return 'not_connected';
        sent.push(message);
        return 'sent';
      },
      isIdentified: () => identified,
      log: silentLogger(),
      git: { startTask: async () => fail('AC_ERR_GIT', 'unused'), submit: async () => fail('AC_ERR_GIT', 'unused') },
    });
    return runner;
  }

  /** A runner with the task assigned and being worked on (no wake command: the agent is outside the test). */
  async function running(): Promise<void> {
    await makeRunner().init();
    runner.handle(assign);
    await waitFor(() => sent.some((frame) => frame.type === 'task_accepted'));
  }

  beforeEach(() => {
    dir = makeTempDir('sidecar-leases');
    sent = [];
    identified = true;
    const parsed = parseSidecarConfig(
      { agent_id: 'gcu-lease', token: 't'.repeat(64), hub_url: 'ws://127.0.0.1:1/ws', result_poll_interval_ms: 20, progress_interval_ms: 60_000 },
      path.join(dir.path, 'config.json'),
    );
    if (!parsed.ok) throw new Error(parsed.detail);
    config = parsed.value;
  });
  afterEach(() => {
    runner?.stop();
    dir.remove();
  });

  it('sends a request once, and writes the hub\'s answer before clearing the way for the next', async () => {
    await running();
    writeRequest({ action: 'acquire', paths: ['docs/**'], id: 'r1' });
    await waitFor(() => leaseFrames().length === 1);
    expect(leaseFrames()[0]).to.deep.include({ type: 'lease_acquire', task_id: taskId, generation: 3, paths: ['docs/**'], request_id: 'r1' });
    expect(existsSync(file('lease-sent')), 'noted as sent before the answer').to.equal(true);
    // An answer to some other request is not this one's.
    runner.handle({ type: 'lease_result', result: 'released', request_id: 'other' } as HubMessage);
    const lease = { lease_id: 'lease-01', task_id: taskId, agent_id: 'gcu-lease', generation: 3, repo: '', paths: ['docs/**'], acquired_at: 1 };
    runner.handle({ type: 'lease_result', result: 'granted', request_id: 'r1', lease } as HubMessage);
    // The result is written after the request file is gone, and the sent note goes last.
    await waitFor(() => existsSync(file('lease-result')) && !existsSync(file('lease-sent')));
    expect(existsSync(file('lease'))).to.equal(false);
    expect(resultFile()).to.deep.equal({ request_id: 'r1', action: 'acquire', result: 'granted', lease });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(leaseFrames()).to.have.length(1);
  });

  it('holds a request written while the link is down and sends it after identify', async () => {
    await running();
    identified = false;
    writeRequest({ action: 'acquire', paths: ['docs/**'], id: 'r2' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(leaseFrames()).to.have.length(0);
    identified = true;
    runner.onIdentified();
    await waitFor(() => leaseFrames().length === 1);
    expect(leaseFrames()[0]).to.include({ request_id: 'r2' });
  });

  it('does not send an acquire again after a reconnect: the agent hears the outcome is unknown', async () => {
    await running();
    writeRequest({ action: 'acquire', paths: ['docs/**'], id: 'r3' });
    await waitFor(() => leaseFrames().length === 1);
    // The link drops before the answer; the new link identifies.
    runner.onIdentified();
    await waitFor(() => existsSync(file('lease-result')));
    expect(resultFile()).to.include({ request_id: 'r3', action: 'acquire', result: 'error', code: 'lease_outcome_unknown' });
    expect(existsSync(file('lease'))).to.equal(false);
    expect(leaseFrames()).to.have.length(1);
  });

  it('sends a release again after a reconnect', async () => {
    await running();
    writeRequest({ action: 'release', lease_id: 'lease-02', id: 'r4' });
    await waitFor(() => leaseFrames().length === 1);
    runner.onIdentified();
    await waitFor(() => leaseFrames().length === 2);
    expect(leaseFrames()[1]).to.include({ type: 'lease_release', lease_id: 'lease-02', request_id: 'r4' });
  });

  it('after a restart, answers a request the old process had sent with outcome unknown, sending nothing', async () => {
    await running();
    writeRequest({ action: 'acquire', paths: ['docs/**'], id: 'r5' });
    await waitFor(() => leaseFrames().length === 1);
    runner.stop();
    // A new sidecar process on the same queue file and results dir.
    sent = [];
    await makeRunner().init();
    runner.onIdentified();
    await waitFor(() => sent.some((frame) => frame.type === 'task_recovering'));
    runner.handle({ type: 'task_continue', task_id: taskId, generation: 3 } as HubMessage);
    await waitFor(() => existsSync(file('lease-result')));
    expect(resultFile()).to.include({ request_id: 'r5', result: 'error', code: 'lease_outcome_unknown' });
    expect(leaseFrames()).to.have.length(0);
  });

  it('after a restart between removing a request and writing its result, tells the agent the outcome is unknown', async () => {
    await running();
    runner.stop();
    // What the old process left: the sent note, no request file, no result.
    writeFileSync(file('lease-sent'), JSON.stringify({ request_id: 'r7', action: 'acquire' }));
    sent = [];
    await makeRunner().init();
    runner.onIdentified();
    await waitFor(() => sent.some((frame) => frame.type === 'task_recovering'));
    runner.handle({ type: 'task_continue', task_id: taskId, generation: 3 } as HubMessage);
    await waitFor(() => existsSync(file('lease-result')) && !existsSync(file('lease-sent')));
    expect(resultFile()).to.deep.include({ request_id: 'r7', action: 'acquire', result: 'error', code: 'lease_outcome_unknown' });
    expect(leaseFrames()).to.have.length(0);
  });

  it('passes on an error frame for a lease request the hub could not handle', async () => {
    await running();
    writeRequest({ action: 'acquire', paths: ['docs/**'], id: 'r6' });
    await waitFor(() => leaseFrames().length === 1);
    runner.handle({ type: 'error', error: 'internal_error', code: 'AC_ERR_INTERNAL', message_type: 'lease_acquire' } as HubMessage);
    await waitFor(() => existsSync(file('lease-result')));
    expect(resultFile()).to.include({ request_id: 'r6', result: 'error', code: 'AC_ERR_INTERNAL' });
  });
});
