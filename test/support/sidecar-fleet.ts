// Real sidecar processes (sidecar/bin/agentcom-sidecar.mjs) for end-to-end tests,
// each woken by a small worker script that "works" for metadata.work_ms and then
// reports through the result files, as a real agent does.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const sidecarBin = path.resolve('sidecar/bin/agentcom-sidecar.mjs');

// The wake command starts the work in a detached process and returns at once, as
// docs/sidecar.md asks; the work outlives a killed sidecar, like a real agent would.
const workerSource = `
import { spawn } from 'node:child_process';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [mode, workLog] = process.argv.slice(2);
if (mode === 'wake') {
  spawn(process.execPath, [process.argv[1], 'work', workLog], { detached: true, stdio: 'ignore' }).unref();
  process.exit(0);
}
const taskId = process.env.AGENTCOM_TASK_ID;
const agentId = process.env.AGENTCOM_AGENT_ID;
const resultsDir = process.env.AGENTCOM_RESULTS_DIR;
const task = JSON.parse(process.env.AGENTCOM_TASK_JSON);
const workMs = Number(task.metadata?.work_ms ?? 200);
const log = (event) => appendFileSync(workLog, JSON.stringify({ event, task_id: taskId, agent_id: agentId, pid: process.pid, at: Date.now() }) + '\\n');
// Written beside results_dir and renamed in, so the sidecar never reads half a file.
const put = (name, text) => {
  const temp = path.join(path.dirname(resultsDir), name + '.' + process.pid + '.tmp');
  writeFileSync(temp, text);
  renameSync(temp, path.join(resultsDir, name));
};
log('start');
put(taskId + '.started', '');
setTimeout(() => {
  put(taskId + '.json', JSON.stringify({ status: 'success', output: 'done by ' + agentId, tokens_used: 1 }));
  log('done');
}, workMs);
`;

export interface WorkRun {
  event: 'start' | 'done';
  task_id: string;
  agent_id: string;
  pid: number;
  at: number;
}

export class SidecarProcess {
  child: ChildProcess | null = null;
  /** The last few KB the process wrote, for failure messages. */
  output = '';

  constructor(readonly agentId: string, readonly configPath: string) {}

  start(): void {
    const child = spawn(process.execPath, [sidecarBin, '--config', this.configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AGENTCOM_LOG_LEVEL: 'info' },
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4096);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.child = child;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL (no goodbye to the hub) and wait for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

export class SidecarFleet {
  readonly sidecars: SidecarProcess[] = [];
  readonly workerPath: string;
  readonly workLogPath: string;

  constructor(readonly root: string, private readonly hub: { url: string; wsUrl: string }) {
    this.workerPath = path.join(root, 'worker.mjs');
    this.workLogPath = path.join(root, 'work.log');
    writeFileSync(this.workerPath, workerSource);
    writeFileSync(this.workLogPath, '');
  }

  /** The config `agentcom agent add` would write, with timings short enough for tests. */
  writeConfig(agentId: string, token: string, capabilities: string[] = []): string {
    const folder = path.join(this.root, agentId);
    mkdirSync(folder, { recursive: true });
    const configPath = path.join(folder, 'config.json');
    writeFileSync(configPath, JSON.stringify({
      agent_id: agentId,
      token,
      hub_url: this.hub.wsUrl,
      hub_api_url: this.hub.url,
      capabilities,
      // On stdout so a failing test can print what the sidecar said.
      log_output: 'stdout',
      ...this.wakeSettings(),
    }, null, 2));
    return configPath;
  }

  /** The wake command and timings these tests use; merged into a config written elsewhere too. */
  wakeSettings(): Record<string, unknown> {
    return {
      wake_command: [process.execPath, this.workerPath, 'wake', this.workLogPath],
      confirmation_timeout_ms: 10_000,
      wake_retry_delays_ms: [200, 500],
      progress_interval_ms: 1_000,
      result_poll_interval_ms: 200,
    };
  }

  start(agentId: string, configPath: string): SidecarProcess {
    const sidecar = new SidecarProcess(agentId, configPath);
    sidecar.start();
    this.sidecars.push(sidecar);
    return sidecar;
  }

  runs(): WorkRun[] {
    if (!existsSync(this.workLogPath)) return [];
    return readFileSync(this.workLogPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as WorkRun);
  }

  /** Kills every sidecar and every worker still running; safe to call twice and after failures. */
  async stopAll(): Promise<void> {
    await Promise.all(this.sidecars.map((sidecar) => sidecar.kill()));
    const finished = new Set(this.runs().filter((run) => run.event === 'done').map((run) => run.pid));
    for (const run of this.runs()) {
      if (run.event !== 'start' || finished.has(run.pid)) continue;
      try {
        process.kill(run.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  outputs(): string {
    return this.sidecars.map((sidecar) => `--- ${sidecar.agentId}\n${sidecar.output}`).join('\n');
  }
}

export function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        if (await check()) return resolve();
      } catch (error) {
        return reject(error);
      }
      if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  });
}
