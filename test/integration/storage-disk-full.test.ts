// A hub whose data dir fills up: on a small tmpfs the test mounts (root only), writes
// are refused with 507 AC_ERR_STORAGE_FULL over HTTP and an error frame on the
// socket, /health says why, the process stays up, nothing acknowledged is lost, and
// writes succeed again once space is freed.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { WsTestClient } from '../support/ws-client.ts';

const tmpfsBytes = 8 * 1024 * 1024;

/** Writes a ballast file until the file system is full; returns its path. */
function fillUp(dir: string): string {
  const path = join(dir, 'ballast');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // Take the last few bytes too, so LMDB cannot squeeze in one more page.
    for (const size of [4096, 512, 1]) {
      try {
        for (;;) writeSync(fd, chunk.subarray(0, size));
      } catch {
        // Full at this size: try a smaller one.
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('storage: disk full (tmpfs, real process)', function () {
  this.timeout(120_000);
  let root: TempDir;
  let mount: string;
  let mounted = false;
  const hubs: HubProcess[] = [];

  before(function () {
    root = makeTempDir('diskfull');
    mount = join(root.path, 'mnt');
    mkdirSync(mount);
    if (process.getuid?.() !== 0) {
      console.log('      skipped: mounting a small tmpfs needs root (CI runs as root)');
      return this.skip();
    }
    const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${tmpfsBytes}`, 'tmpfs', mount], { encoding: 'utf8' });
    if (result.status !== 0) {
      console.log(`      skipped: cannot mount a tmpfs here (${(result.stderr || String(result.error)).trim()})`);
      return this.skip();
    }
    mounted = true;
  });

  after(async () => {
    for (const hub of hubs) {
      hub.kill('SIGKILL');
      await hub.exited();
    }
    if (mounted) spawnSync('umount', [mount]);
    root?.remove();
  });

  it('refuses writes with 507 and an error frame, stays up, reports it in /health, and recovers when space is freed', async () => {
    const dataDir = join(mount, 'data');
    const first = spawnHub(['--port', '0', '--data-dir', dataDir]);
    hubs.push(first);
    const { url, adminToken } = await first.ready();
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: await response.json() as any };
    };
    const acked: string[] = [];

    // An agent holding a task before the disk fills, so a socket write can be refused too.
    const registered = await api('POST', '/api/onboard/register', { agent_id: 'filler-agent' });
    const agent = await WsTestClient.connect(url.replace(/^http/, 'ws') + '/ws');
    await agent.request({ type: 'identify', agent_id: 'filler-agent', token: registered.body.token, capabilities: ['disk'], protocol_version: 1 }, 'identified');
    const held = await api('POST', '/api/tasks', { description: 'held through the full disk', needed_capabilities: ['disk'] });
    expect(held.status).to.equal(201);
    acked.push(held.body.task_id);
    const assign = await agent.nextMessage('task_assign', 15_000);
    await agent.request({ type: 'task_accepted', task_id: assign.task_id }, 'task_ack');

    // Agents whose tokens the full disk will be asked to revoke.
    for (let i = 0; i < 40; i += 1) expect((await api('POST', '/api/onboard/register', { agent_id: `victim-${i}` })).status).to.equal(201);

    const ballast = fillUp(mount);
    const blob = 'x'.repeat(60 * 1024);
    let refused: { status: number; body: any } | null = null;
    for (let i = 0; i < 400 && !refused; i += 1) {
      const submitted = await api('POST', '/api/tasks', { description: `while full ${i}`, metadata: { blob } });
      if (submitted.status === 201) acked.push(submitted.body.task_id);
      else refused = submitted;
    }
    expect(refused, 'a submit is refused once the disk is full').to.not.equal(null);
    expect(refused!.status).to.equal(507);
    expect(refused!.body).to.include({ code: 'AC_ERR_STORAGE_FULL', error: 'storage_full' });

    const completeFrame = { type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: { blob } };
    agent.send(completeFrame);
    const frame = await agent.nextMessage(undefined, 15_000);
    expect(frame).to.include({ type: 'error', code: 'AC_ERR_STORAGE_FULL', task_id: assign.task_id });

    // Every other write path answers the same way. A small write may still fit in pages LMDB
    // had free; each one that fits uses some up, so each path is tried until it is refused,
    // and a refusal must be 507 AC_ERR_STORAGE_FULL, never a 500.
    const refusedWith507 = async (name: string, attempt: (i: number) => Promise<{ status: number; body: any }>, mayFit = false) => {
      for (let i = 0; i < 40; i += 1) {
        const answer = await attempt(i).catch((error: unknown) => {
          throw new Error(`${name}: ${String(error)}; hub exit ${first.child.exitCode} ${first.child.signalCode}; the hub said: ${first.stdout().slice(-600)} / stderr: ${first.stderr().split('\n').filter((line) => !/^Write error|^  code: 28|^}$/.test(line)).join('\n').slice(-4000)}`);
        });
        if (answer.status < 300) continue;
        expect(answer.status, `${name}: ${JSON.stringify(answer.body)}`).to.equal(507);
        expect(answer.body.code, name).to.equal('AC_ERR_STORAGE_FULL');
        return;
      }
      if (!mayFit) expect.fail(`${name} was never refused on a full disk`);
    };
    const long = 'r'.repeat(2000);
    await refusedWith507('token create', () => api('POST', '/api/admin/tokens', { admin: true, name: 'while-full' }));
    await refusedWith507('onboard register', (i) => api('POST', '/api/onboard/register', { agent_id: `late-${i}` }));
    // A delete copies a page or two and frees as many: LMDB may fit it in the file for ever.
    await refusedWith507('token revoke', (i) => api('DELETE', `/api/admin/tokens/victim-${i}`), true);
    await refusedWith507('default repo', (i) => api('PUT', '/api/config/default-repo', { url: `https://example.com/${long}/${i}` }));
    await refusedWith507('heartbeat interval', (i) => api('PUT', '/api/config/heartbeat-interval', { heartbeat_interval_ms: 10_000 + i }));
    await refusedWith507('mailbox retention', (i) => api('PUT', '/api/config/mailbox-retention', { mailbox_ttl_ms: 60_000 + i }));
    await refusedWith507('enrollment token', () => api('POST', '/api/admin/enrollment-tokens', { ttl_ms: 60_000 }));
    await refusedWith507('rate-limit whitelist', (i) =>
      api('PUT', '/api/admin/rate-limits/whitelist', { agent_ids: Array.from({ length: 2000 }, (_, n) => `white-${i}-${n}`) }));
    await refusedWith507('schedule create', (i) =>
      api('POST', '/api/schedules', { cron: '0 0 1 1 *', name: `full-${i}`, task: { description: 'never', metadata: { blob } } }));
    await refusedWith507('backup', () => api('POST', '/api/admin/backup'));
    await refusedWith507('compaction', () => api('POST', '/api/admin/compact'));

    const degraded = await fetch(`${url}/health`).then((response) => response.json() as Promise<any>);
    expect(degraded.status).to.equal('degraded');
    expect(degraded.reasons[0]).to.include({ reason: 'storage_full' });
    // Reads keep working, and the refused write left no trace.
    const listed = await api('GET', '/api/tasks?limit=5000');
    expect(listed.status).to.equal(200);
    expect(listed.body.tasks.map((task: { id: string }) => task.id)).to.have.members(acked);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(first.child.exitCode, first.stdout().slice(-2000)).to.equal(null);

    rmSync(ballast);
    const after = await api('POST', '/api/tasks', { description: 'after space was freed', metadata: { blob } });
    expect(after.status).to.equal(201);
    acked.push(after.body.task_id);
    const completed = await agent.request(completeFrame, 'task_ack', 15_000);
    expect(completed).to.include({ task_id: assign.task_id, status: 'complete' });
    // The backup refused while the disk was full is reported until one succeeds.
    expect((await api('POST', '/api/admin/backup')).status).to.equal(200);
    const healthy = await fetch(`${url}/health`).then((response) => response.json() as Promise<any>);
    expect(healthy.status).to.equal('ok');
    await agent.terminate();

    // kill -9 and restart: every acknowledged task is there.
    first.kill('SIGKILL');
    await first.exited();
    const second = spawnHub(['--port', '0', '--data-dir', dataDir]);
    hubs.push(second);
    const again = await second.ready();
    for (const id of acked) {
      const response = await fetch(`${again.url}/api/tasks/${id}`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(response.status, `acknowledged ${id} after the restart: ${second.stdout().slice(-1500)}`).to.equal(200);
    }
  });
});
