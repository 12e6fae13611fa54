// State that survives a hub restart besides the queue: an agent's persisted actor snapshot
// (its Done count) and the metrics samples behind the dashboard's last-hour charts.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { startHub, type RunningHub } from '../../runtime/boot.ts';
import { resolveConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { WsTestClient } from '../support/ws-client.ts';

describe('a hub restart keeps agent snapshots and the metrics history', function () {
  this.timeout(30_000);
  let dir: TempDir;
  let running: RunningHub | null = null;
  const logger = createLogger('error', new Writable({ write: (_c, _e, done) => done() }));

  const start = async (): Promise<RunningHub> => {
    const config = resolveConfig({ host: '127.0.0.1', port: 0, data_dir: dir.path, log_level: 'error' });
    if (!config.ok) throw new Error(config.detail);
    running = await startHub({ config: config.value, logger, adminToken: 'restart-admin-token' });
    return running;
  };

  beforeEach(() => {
    dir = makeTempDir('restart-snapshots');
  });
  afterEach(async () => {
    await running?.stop();
    running = null;
    dir.remove();
  });

  it('restores the Done count with restoreSnapshot and the charts from the kept samples', async () => {
    const first = await start();
    const registered = await first.hub.access.registerAgent('keeper');
    if (!registered.ok) throw new Error(registered.code);
    const ws = await WsTestClient.connect(`ws://127.0.0.1:${first.port}/ws`);
    await ws.request({ type: 'identify', agent_id: 'keeper', token: registered.value.token, name: 'Keeper' }, 'identified');
    for (let i = 0; i < 2; i++) {
      await first.hub.tasks.submitTask({ description: `job ${i}` }, null);
      const assign = await ws.nextMessage('task_assign');
      await ws.request({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation }, 'task_ack');
      await ws.request({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: {} }, 'task_ack');
    }
    expect(first.hub.sessions.agentState('keeper')?.tasks_completed).to.equal(2);
    first.hub.dashboard.sampleMetrics();
    // Samples are kept by their timestamp (10 s apart in a running hub): two in one millisecond would be one.
    await new Promise((resolve) => setTimeout(resolve, 5));
    first.hub.dashboard.sampleMetrics();
    const samples = (first.hub.dashboard.dashboardState() as { series: Array<{ timestamp: number; completed: number }> }).series;
    expect(samples).to.have.length(2);
    await ws.close();
    await first.stop();
    running = null;

    const second = await start();
    const agent = second.hub.sessions.agentState('keeper');
    expect(agent).to.include({ fsm_state: 'offline', tasks_completed: 2, current_task_id: null });
    const restored = (second.hub.dashboard.dashboardState() as { series: Array<{ timestamp: number; completed: number }> }).series;
    expect(restored).to.deep.equal(samples);
  });
});
