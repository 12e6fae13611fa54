import { existsSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseResultText, resultFilePath, writeReport, type TaskOutcome } from '../../../sidecar/result-files.ts';
import { ResultWatcher } from '../../../sidecar/result-watcher.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const taskId = 'task-0000000000000001';

interface Seen {
  started: number;
  progress: Array<string | null>;
  outcomes: TaskOutcome[];
}


describe('ResultWatcher', () => {
  let dir: TempDir;
  let watcher: ResultWatcher;
  let seen: Seen;

  async function startWatcher(pollIntervalMs = 50): Promise<void> {
    watcher = new ResultWatcher(
      { resultsDir: dir.path, taskId, pollIntervalMs },
      {
        onStarted: () => seen.started++,
        onProgress: (note) => seen.progress.push(note),
        onOutcome: (outcome) => seen.outcomes.push(outcome),
      },
    );
    await watcher.start();
  }

  beforeEach(() => {
    dir = makeTempDir('sidecar-results');
    seen = { started: 0, progress: [], outcomes: [] };
  });
  afterEach(() => {
    watcher?.stop();
    dir.remove();
  });

  it('reports the start once when <task_id>.started appears', async () => {
    await startWatcher();
    writeFileSync(resultFilePath(dir.path, taskId, 'started'), '');
    await waitFor(() => seen.started === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen.started).to.equal(1);
  });

  it('reports a success result with the whole object', async () => {
    await startWatcher();
    writeFileSync(resultFilePath(dir.path, taskId, 'result'), JSON.stringify({ status: 'success', output: 'done', tokens_used: 12 }));
    await waitFor(() => seen.outcomes.length === 1);
    expect(seen.outcomes[0]).to.deep.equal({ kind: 'success', result: { status: 'success', output: 'done', tokens_used: 12 } });
  });

  it('reports a failure with its reason', async () => {
    await startWatcher();
    writeFileSync(resultFilePath(dir.path, taskId, 'result'), JSON.stringify({ status: 'failed', reason: 'tests do not pass' }));
    await waitFor(() => seen.outcomes.length === 1);
    expect(seen.outcomes[0]).to.deep.include({ kind: 'failure', reason: 'tests do not pass' });
  });

  it('reports an unparsable file as result_parse_error once it stops changing', async () => {
    await startWatcher();
    writeFileSync(resultFilePath(dir.path, taskId, 'result'), '{"status": "succ');
    await waitFor(() => seen.outcomes.length === 1);
    const outcome = seen.outcomes[0];
    expect(outcome.kind).to.equal('failure');
    expect(outcome.kind === 'failure' && outcome.reason).to.match(/^result_parse_error: /);
  });

  it('waits for a half-written file to be completed instead of failing it', async () => {
    await startWatcher(200);
    const file = resultFilePath(dir.path, taskId, 'result');
    writeFileSync(file, '{"status": "succ');
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(file, '{"status": "success", "output": "late"}');
    await waitFor(() => seen.outcomes.length === 1);
    expect(seen.outcomes[0].kind).to.equal('success');
  });

  it('picks up files written before it started', async () => {
    writeFileSync(resultFilePath(dir.path, taskId, 'started'), '');
    writeFileSync(resultFilePath(dir.path, taskId, 'result'), JSON.stringify({ status: 'success' }));
    await startWatcher();
    await waitFor(() => seen.outcomes.length === 1);
    expect(seen.started).to.equal(1);
  });

  it('forwards each progress file and removes it', async () => {
    await startWatcher();
    const file = resultFilePath(dir.path, taskId, 'progress');
    writeFileSync(file, JSON.stringify({ output: 'half way' }));
    await waitFor(() => seen.progress.length === 1);
    expect(seen.progress).to.deep.equal(['half way']);
    expect(existsSync(file)).to.equal(false);
  });

  it('ignores files that belong to another task', async () => {
    await startWatcher();
    writeFileSync(resultFilePath(dir.path, 'task-other', 'result'), JSON.stringify({ status: 'success' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.outcomes).to.deep.equal([]);
  });

  it('still sees results when fs.watch misses them, through the poll', async () => {
    await startWatcher(30);
    // Closing the fs.watch handle leaves only the poll running.
    (watcher as unknown as { closeWatcher(): void }).closeWatcher();
    writeFileSync(resultFilePath(dir.path, taskId, 'result'), JSON.stringify({ status: 'success' }));
    await waitFor(() => seen.outcomes.length === 1);
  });

  it('reads what the report command writes', async () => {
    await startWatcher();
    await writeReport(dir.path, taskId, 'started', {});
    await writeReport(dir.path, taskId, 'failed', { reason: 'no network', output: 'log' });
    await waitFor(() => seen.outcomes.length === 1);
    expect(seen.started).to.equal(1);
    expect(seen.outcomes[0]).to.deep.include({ kind: 'failure', reason: 'no network' });
  });
});

describe('parseResultText', () => {
  it('treats status "success" as success', () => {
    expect(parseResultText('{"status":"success","output":"x"}').kind).to.equal('success');
  });

  it('falls back from reason to error for the failure text', () => {
    expect(parseResultText('{"status":"error","error":"boom"}')).to.deep.include({ kind: 'failure', reason: 'boom' });
  });

  it('names the status when no reason is given', () => {
    expect(parseResultText('{"status":"cancelled"}')).to.deep.include({ reason: 'status cancelled' });
  });

  it('refuses JSON that is not an object with a string status', () => {
    for (const text of ['[1]', '"success"', '{"output":"x"}', 'null']) {
      const outcome = parseResultText(text);
      expect(outcome.kind === 'failure' && outcome.reason, text).to.match(/^result_parse_error: /);
    }
  });
});
