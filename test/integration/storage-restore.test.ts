import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageEventFrame } from '../../web/protocol/storage-events.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient } from '../support/ws-client.ts';

describe('online restore', () => {
  let hub: TestHub;
  let backups: TempDir;

  beforeEach(async () => {
    backups = makeTempDir('restore-backups');
    hub = await startTestHub({ backup_dir: backups.path, backup_schedule: 'off', compaction_schedule: 'off' });
  });

  afterEach(async () => {
    await hub.stop();
    backups.remove();
  });

  it('restarts storage with the backup while an agent holds a task; the agent reconnects and continues it', async () => {
    const agent = await hub.connectAgent('agent-r');
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'held across the restore' } });
    const assign = await agent.ws.nextMessage('task_assign');
    expect(assign.task_id).to.equal(submitted.body.task_id);
    const taken = await hub.http('POST', '/api/admin/backup');
    expect(taken.status).to.equal(200);
    const later = await hub.http('POST', '/api/tasks', { body: { description: 'after the backup', needed_capabilities: ['nobody'] } });

    const events: StorageEventFrame[] = [];
    hub.running.storageOps.onEvent((event) => events.push(event));
    const restoring = await hub.http('POST', '/api/admin/restore/task_queue', { body: {} });
    expect(restoring.status).to.equal(200);
    expect(restoring.body).to.include({ status: 'restoring', backup_used: taken.body.backup.name, table: 'task_queue' });

    await waitFor(() => events.some((event) => event.type === 'recovery_complete'), 10_000, 'recovery_complete');
    await waitFor(async () => (await hub.http('GET', '/health', { token: null }).catch(() => null))?.status === 200, 10_000, 'hub back');

    expect((await hub.http('GET', `/api/tasks/${later.body.task_id as string}`)).status, 'a task from after the backup').to.equal(404);
    const held = await hub.http('GET', `/api/tasks/${submitted.body.task_id as string}`);
    expect(held.body).to.include({ status: 'assigned', assigned_to: 'agent-r' });

    // The old socket was closed by the restart; the agent comes back and recovers its task.
    const ws = await WsTestClient.connect(hub.wsUrl);
    try {
      await ws.request({ type: 'identify', agent_id: 'agent-r', token: agent.token, capabilities: [], protocol_version: 1 }, 'identified');
      const answer = await ws.request({ type: 'task_recovering', task_id: submitted.body.task_id }, 'task_continue');
      expect(answer.generation).to.equal(assign.generation);
    } finally {
      ws.socket.terminate();
    }
    const aside = join(backups.path, 'replaced');
    expect(existsSync(aside) && readdirSync(aside).length, 'the replaced file is kept').to.equal(1);
  });

  it('refuses a backup name that is not listed and changes nothing', async () => {
    const answer = await hub.http('POST', '/api/admin/restore', { body: { backup: 'backup-nope' } });
    expect(answer.status).to.equal(404);
    expect(answer.body.code).to.equal('AC_ERR_BACKUP_NOT_FOUND');
    expect((await hub.http('GET', '/health', { token: null })).body.status).to.equal('ok');
  });
});
