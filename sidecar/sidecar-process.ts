// Wires one running sidecar: logger, local queue, task runner and hub connection.
import { mkdir } from 'node:fs/promises';
import { HubConnection } from './hub-connection.ts';
import { hubTrustFrom } from './hub-trust.ts';
import type { SidecarConfig } from './sidecar-config.ts';
import { createSidecarLogger, logDestination, type SidecarLogger } from './sidecar-logger.ts';
import { TaskQueueFile } from './task-queue-file.ts';
import { TaskRunner } from './task-runner.ts';
import { startTask } from './git/start-task.ts';
import { submit } from './git/submit.ts';
import type { Result } from '../storage/domain/errors.ts';
import { ok } from '../storage/domain/errors.ts';

export interface RunningSidecar {
  log: SidecarLogger;
  stop(): Promise<void>;
}

export async function startSidecar(config: SidecarConfig): Promise<Result<RunningSidecar>> {
  const trust = hubTrustFrom(config.ca_file, config.insecure);
  if (!trust.ok) return trust;
  const log = createSidecarLogger({ agentId: config.agent_id, token: config.token, logFile: config.log_file, output: config.log_output });
  if (logDestination({ logFile: config.log_file, output: config.log_output }) === 'file') {
    // The one line a terminal sees: where everything else goes.
    process.stderr.write(`agentcom-sidecar: logging to ${config.log_file}\n`);
  }
  await mkdir(config.results_dir, { recursive: true });

  let connection: HubConnection | null = null;
  const runner = new TaskRunner({
    config,
    log,
    queue: new TaskQueueFile(config.queue_file),
    send: (message) => connection?.send(message) ?? Promise.resolve('not_connected'),
    isIdentified: () => connection?.isIdentified() ?? false,
    git: { startTask, submit },
  });
  const initialised = await runner.init();
  if (!initialised.ok) return initialised;
  const recovering = runner.queueState.recovering;
  if (recovering) log.info('found a task from the last run', { task_id: recovering.task_id, last_status: recovering.status });

  connection = new HubConnection({
    hubUrl: config.hub_url,
    hubUrls: config.hub_urls,
    agentId: config.agent_id,
    token: config.token,
    name: config.name ?? config.agent_id,
    capabilities: config.capabilities,
    heartbeatIntervalMs: config.heartbeat_interval_ms,
    pongTimeoutMs: config.pong_timeout_ms,
    log,
    onIdentified: () => runner.onIdentified(),
    onMessage: (message) => runner.handle(message),
    trust: trust.value,
  });
  connection.start();
  log.info('sidecar started', { hub_url: config.hub_url, results_dir: config.results_dir, queue_file: config.queue_file });

  const activeConnection = connection;
  return ok({
    log,
    async stop() {
      runner.stop();
      await activeConnection.close();
      log.info('sidecar stopped');
    },
  });
}
