// The real sidecar process against a small hub that speaks the v1 protocol.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

type Frame = Record<string, unknown> & { type: string };

const sidecarBin = path.resolve('sidecar/bin/agentcom-sidecar.mjs');
const token = 'a1'.repeat(32);
const agentId = 'gcu-protocol-test';

function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`${what} not met in ${timeoutMs} ms`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/** One sidecar socket as the hub sees it. */
class HubSide {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  answerPings = true;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      if (frame.type === 'identify') this.send({ type: 'identified', agent_id: frame.agent_id });
      if (frame.type === 'ping' && this.answerPings) this.send({ type: 'pong', timestamp: Date.now() });
    });
    socket.on('close', (code) => {
      this.closeCode = code;
    });
  }

  send(frame: Frame): void {
    this.socket.send(JSON.stringify(frame));
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  async next(type: string, timeoutMs = 10_000): Promise<Frame> {
    await waitFor(() => this.ofType(type).length > 0, timeoutMs, `a ${type} frame`);
    return this.ofType(type)[0];
  }
}

class FakeHub {
  readonly sides: HubSide[] = [];
  private constructor(readonly server: WebSocketServer) {
    server.on('connection', (socket) => this.sides.push(new HubSide(socket)));
  }

  static async start(): Promise<FakeHub> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
    await new Promise((resolve) => server.once('listening', resolve));
    return new FakeHub(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws`;
  }

  async connection(index: number): Promise<HubSide> {
    await waitFor(() => this.sides.length > index, 10_000, `connection #${index}`);
    return this.sides[index];
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Sidecar {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startSidecar(configPath: string): Sidecar {
  const child = spawn(process.execPath, [sidecarBin, '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('agentcom-sidecar process', () => {
  let dir: TempDir;
  let hub: FakeHub;
  let configPath: string;
  let wakeLog: string;
  let resultsDir: string;
  const running: Sidecar[] = [];

  function writeConfig(overrides: Record<string, unknown> = {}): void {
    writeFileSync(
      configPath,
      JSON.stringify({
        agent_id: agentId,
        token,
        hub_url: hub.url,
        capabilities: ['code', 'review'],
        wake_command: `"${process.execPath}" ./wake.cjs \${TASK_ID} \${TASK_DESCRIPTION}`,
        heartbeat_interval_ms: 150,
        pong_timeout_ms: 300,
        progress_interval_ms: 200,
        result_poll_interval_ms: 50,
        wake_retry_delays_ms: [50, 50, 50],
        ...overrides,
      }),
    );
  }

  /** The wake script: records its argv, confirms the start, and optionally finishes the task. */
  function writeWakeScript(finish: boolean): void {
    writeFileSync(
      path.join(dir.path, 'wake.cjs'),
      `const fs = require('fs'), path = require('path');
const [taskId, description] = process.argv.slice(2);
const dir = process.env.AGENTCOM_RESULTS_DIR;
fs.appendFileSync(${JSON.stringify(wakeLog)}, JSON.stringify({ taskId, description }) + '\\n');
fs.writeFileSync(path.join(dir, taskId + '.started'), '');
if (${finish}) fs.writeFileSync(path.join(dir, taskId + '.json'), JSON.stringify({ status: 'success', output: description, tokens_used: 42 }));
`,
    );
  }

  // The agent's append may have created the file and not written yet: an empty line is no run.
  const wakeRuns = () => (existsSync(wakeLog) ? readFileSync(wakeLog, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line)) : []);

  function launch(): Sidecar {
    const sidecar = startSidecar(configPath);
    running.push(sidecar);
    return sidecar;
  }

  beforeEach(async () => {
    dir = makeTempDir('sidecar-protocol');
    hub = await FakeHub.start();
    configPath = path.join(dir.path, 'config.json');
    wakeLog = path.join(dir.path, 'wake.log');
    resultsDir = path.join(dir.path, 'results');
    writeConfig();
  });

  afterEach(async () => {
    for (const sidecar of running.splice(0)) {
      if (sidecar.child.exitCode === null && sidecar.child.signalCode === null) sidecar.child.kill('SIGKILL');
      await sidecar.exited;
    }
    await hub.close();
    dir.remove();
  });

  it('identifies as a sidecar, pings, and puts protocol_version 1 in every message', async () => {
    launch();
    const side = await hub.connection(0);
    const identify = await side.next('identify');
    expect(identify).to.deep.equal({
      type: 'identify',
      agent_id: agentId,
      token,
      name: agentId,
      capabilities: ['code', 'review'],
      client_type: 'sidecar',
      protocol_version: 1,
    });
    await waitFor(() => side.ofType('ping').length >= 2, 5_000, 'two pings');
    expect(side.frames.every((frame) => frame.protocol_version === 1)).to.equal(true);
  });

  it('accepts a task, wakes the agent with the description verbatim, and completes with the same generation', async () => {
    writeWakeScript(true);
    const sidecar = launch();
    const side = await hub.connection(0);
    await side.next('identify');
    const description = 'fix "; touch /tmp/pwned; " and $(rm -rf ~) please';
    side.send({ type: 'task_assign', task_id: 'task-00000000000000c1', description, metadata: { priority: 'high' }, generation: 7, assigned_at: Date.now() });

    const accepted = await side.next('task_accepted');
    expect(accepted.task_id).to.equal('task-00000000000000c1');
    const complete = await side.next('task_complete');
    expect(complete).to.deep.include({ task_id: 'task-00000000000000c1', generation: 7, tokens_used: 42, protocol_version: 1 });
    expect(complete.result).to.deep.equal({ status: 'success', output: description, tokens_used: 42 });
    expect(wakeRuns()).to.deep.equal([{ taskId: 'task-00000000000000c1', description }]);
    expect(side.frames.findIndex((f) => f.type === 'task_accepted')).to.be.below(side.frames.findIndex((f) => f.type === 'task_complete'));
    await waitFor(() => !existsSync(path.join(resultsDir, 'task-00000000000000c1.json')), 5_000, 'result file removal');
    expect(existsSync(path.join(resultsDir, 'task-00000000000000c1.started'))).to.equal(false);
    expect(sidecar.output()).to.not.contain(token);
    expect(readFileSync(path.join(dir.path, 'sidecar.log'), 'utf8')).to.not.contain(token);
  });

  it('rejects a second task as busy', async () => {
    writeWakeScript(false);
    launch();
    const side = await hub.connection(0);
    await side.next('identify');
    side.send({ type: 'task_assign', task_id: 'task-00000000000000d1', description: 'first', metadata: {}, generation: 1 });
    await side.next('task_accepted');
    side.send({ type: 'task_assign', task_id: 'task-00000000000000d2', description: 'second', metadata: {}, generation: 1 });
    const rejected = await side.next('task_rejected');
    expect(rejected).to.deep.equal({ type: 'task_rejected', task_id: 'task-00000000000000d2', reason: 'busy', protocol_version: 1 });
  });

  it('sends task_progress with the generation while the task runs', async () => {
    writeWakeScript(false);
    launch();
    const side = await hub.connection(0);
    await side.next('identify');
    side.send({ type: 'task_assign', task_id: 'task-00000000000000e1', description: 'long job', metadata: {}, generation: 5 });
    const progress = await side.next('task_progress');
    expect(progress).to.deep.include({ task_id: 'task-00000000000000e1', generation: 5 });
  });

  it('recovers after SIGKILL: task_recovering once, then task_continue resumes without a second accept or wake', async () => {
    writeWakeScript(false);
    const first = launch();
    const side1 = await hub.connection(0);
    await side1.next('identify');
    const taskId = 'task-00000000000000f1';
    side1.send({ type: 'task_assign', task_id: taskId, description: 'survive a crash', metadata: { priority: 'low' }, generation: 3 });
    await side1.next('task_accepted');
    await waitFor(() => wakeRuns().length === 1, 10_000, 'the wake');
    first.child.kill('SIGKILL');
    await first.exited;

    launch();
    const side2 = await hub.connection(1);
    await side2.next('identify');
    const recovering = await side2.next('task_recovering');
    expect(recovering).to.deep.include({ task_id: taskId, description: 'survive a crash', metadata: { priority: 'low' } });
    expect(recovering.last_status).to.be.oneOf(['waking', 'waking_confirmation', 'working']);
    side2.send({ type: 'task_continue', task_id: taskId, generation: 4 });

    // The agent kept working while the sidecar was down; it now finishes.
    await waitFor(() => existsSync(resultsDir), 5_000, 'results dir');
    writeFileSync(path.join(resultsDir, `${taskId}.json`), JSON.stringify({ status: 'success', output: 'done' }));
    const complete = await side2.next('task_complete');
    expect(complete).to.deep.include({ task_id: taskId, generation: 4 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(side2.ofType('task_recovering')).to.have.length(1);
    expect(side2.ofType('task_accepted')).to.have.length(0);
    expect(side2.ofType('task_complete')).to.have.length(1);
    expect(wakeRuns()).to.have.length(1);
  });

  it('drops the recovered task on task_reassign', async () => {
    writeFileSync(
      path.join(dir.path, 'queue.json'),
      JSON.stringify({
        active: { task_id: 'task-0000000000000a01', description: 'old', metadata: {}, status: 'working', assigned_at: 1, generation: 2, wake_attempts: 1 },
        recovering: null,
      }),
    );
    launch();
    const side = await hub.connection(0);
    await side.next('task_recovering');
    side.send({ type: 'task_reassign', task_id: 'task-0000000000000a01' });
    await waitFor(() => JSON.parse(readFileSync(path.join(dir.path, 'queue.json'), 'utf8')).recovering === null, 5_000, 'queue cleared');
    expect(side.ofType('task_complete')).to.have.length(0);
  });

  it('terminates and reconnects when no pong arrives in time', async () => {
    launch();
    const side = await hub.connection(0);
    side.answerPings = false;
    await side.next('ping');
    const second = await hub.connection(1);
    const identify = await second.next('identify');
    expect(identify.agent_id).to.equal(agentId);
  });

  it('reconnects and identifies again when the hub drops the socket', async () => {
    launch();
    const side = await hub.connection(0);
    await side.next('identify');
    side.socket.terminate();
    const second = await hub.connection(1);
    expect((await second.next('identify')).client_type).to.equal('sidecar');
  });

  it('closes the socket with 1000 and exits 0 on SIGTERM', async () => {
    const sidecar = launch();
    const side = await hub.connection(0);
    await side.next('identify');
    sidecar.child.kill('SIGTERM');
    expect(await sidecar.exited).to.equal(0);
    await waitFor(() => side.closeCode !== null, 5_000, 'close');
    expect(side.closeCode).to.equal(1000);
  });
});
