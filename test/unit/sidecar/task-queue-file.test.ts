import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { recoverOnStart, TaskQueueFile, type LocalTask } from '../../../sidecar/task-queue-file.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

function localTask(overrides: Partial<LocalTask> = {}): LocalTask {
  return {
    task_id: 'task-0123456789abcdef',
    description: 'fix the flaky test',
    metadata: { priority: 'high' },
    status: 'working',
    assigned_at: 1_700_000_000_000,
    generation: 3,
    wake_attempts: 1,
    ...overrides,
  };
}

describe('TaskQueueFile', () => {
  let dir: TempDir;
  let file: string;
  beforeEach(() => {
    dir = makeTempDir('sidecar-queue');
    file = path.join(dir.path, 'queue.json');
  });
  afterEach(() => dir.remove());

  it('reads a missing file as an empty queue', async () => {
    expect(await new TaskQueueFile(file).load()).to.deep.equal({ ok: true, value: { active: null, recovering: null } });
  });

  it('reads back exactly what it saved', async () => {
    const queue = new TaskQueueFile(file);
    const state = { active: localTask(), recovering: localTask({ task_id: 'task-2', status: 'accepted' }) };
    expect((await queue.save(state)).ok).to.equal(true);
    expect(await new TaskQueueFile(file).load()).to.deep.equal({ ok: true, value: state });
  });

  it('writes the original layout: an object with active and recovering', async () => {
    await new TaskQueueFile(file).save({ active: localTask(), recovering: null });
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(raw)).to.deep.equal(['active', 'recovering']);
    expect(raw.active.task_id).to.equal('task-0123456789abcdef');
  });

  it('replaces the file by rename and leaves no temp file behind', async () => {
    const queue = new TaskQueueFile(file);
    await queue.save({ active: localTask({ description: 'x'.repeat(50_000) }), recovering: null });
    await queue.save({ active: null, recovering: null });
    expect(readdirSync(dir.path)).to.deep.equal(['queue.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.equal({ active: null, recovering: null });
  });

  it('lands quick successive saves in the order they were made', async () => {
    const queue = new TaskQueueFile(file);
    await Promise.all([1, 2, 3, 4, 5].map((generation) => queue.save({ active: localTask({ generation }), recovering: null })));
    expect(JSON.parse(readFileSync(file, 'utf8')).active.generation).to.equal(5);
  });

  it('reports a corrupt file with its code instead of starting empty', async () => {
    writeFileSync(file, '{"active": {');
    expect(await new TaskQueueFile(file).load()).to.deep.include({ ok: false, code: 'AC_ERR_SIDECAR_QUEUE_FILE' });
  });

  it('reports a folder it cannot write to', async () => {
    const result = await new TaskQueueFile(path.join(dir.path, 'missing', 'queue.json')).save({ active: null, recovering: null });
    expect(result).to.deep.include({ ok: false, code: 'AC_ERR_SIDECAR_QUEUE_FILE' });
  });
});

describe('recoverOnStart', () => {
  it('moves a leftover active task to recovering', () => {
    const active = localTask();
    expect(recoverOnStart({ active, recovering: null })).to.deep.equal({ state: { active: null, recovering: active }, dropped: [] });
  });

  it('keeps a task whose report was never sent, so it can be sent after task_continue', () => {
    const active = localTask({ status: 'reporting', report: { type: 'task_complete', task_id: 'task-0123456789abcdef' } });
    expect(recoverOnStart({ active, recovering: null }).state.recovering).to.equal(active);
  });

  it('drops a task whose report was already handed to the socket', () => {
    const active = localTask({ status: 'reported' });
    expect(recoverOnStart({ active, recovering: null })).to.deep.equal({ state: { active: null, recovering: null }, dropped: [active] });
  });

  it('keeps the newer task when both slots are full', () => {
    const older = localTask({ task_id: 'task-old' });
    const newer = localTask({ task_id: 'task-new' });
    const { state, dropped } = recoverOnStart({ active: newer, recovering: older });
    expect(state.recovering).to.equal(newer);
    expect(dropped).to.deep.equal([older]);
  });

  it('leaves an empty queue empty', () => {
    expect(recoverOnStart({ active: null, recovering: null })).to.deep.equal({ state: { active: null, recovering: null }, dropped: [] });
  });
});
