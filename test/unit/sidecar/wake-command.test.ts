import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  buildWakeInvocation,
  runWakeOnce,
  runWakeWithRetries,
  splitCommandTemplate,
  wakeFailedReason,
  type WakeTask,
} from '../../../sidecar/wake-command.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const hostileDescriptions = [
  '$(touch PWNED)',
  '"; touch PWNED; "',
  "'; touch PWNED; '",
  '`touch PWNED`',
  'a && touch PWNED || touch PWNED',
  'line one\nline two; touch PWNED',
  '${TASK_ID} and $HOME and %PATH%',
  '-rf --help',
  '',
];

function wakeTask(description: string): WakeTask {
  return { task_id: 'task-00000000000000aa', description, metadata: { priority: 'high' }, generation: 2, assigned_at: 1 };
}

describe('splitCommandTemplate', () => {
  it('splits on whitespace', () => {
    expect(splitCommandTemplate('claude  -p ${TASK_DESCRIPTION}')).to.deep.equal({ ok: true, value: ['claude', '-p', '${TASK_DESCRIPTION}'] });
  });

  it('keeps quoted words whole and drops the quotes', () => {
    expect(splitCommandTemplate(`openclaw send "task: \${TASK_DESCRIPTION}" 'it''s'`)).to.deep.equal({
      ok: true,
      value: ['openclaw', 'send', 'task: ${TASK_DESCRIPTION}', 'its'],
    });
  });

  it('honours backslash escapes outside quotes and inside double quotes', () => {
    expect(splitCommandTemplate('a\\ b "c\\"d"')).to.deep.equal({ ok: true, value: ['a b', 'c"d'] });
  });

  it('keeps an empty quoted word', () => {
    expect(splitCommandTemplate('cmd "" x')).to.deep.equal({ ok: true, value: ['cmd', '', 'x'] });
  });

  it('refuses an unclosed quote', () => {
    expect(splitCommandTemplate('cmd "oops')).to.deep.include({ ok: false, code: 'AC_ERR_SIDECAR_BAD_TEMPLATE' });
  });

  it('refuses an empty command', () => {
    expect(splitCommandTemplate('   ')).to.deep.include({ ok: false, code: 'AC_ERR_SIDECAR_BAD_TEMPLATE' });
  });
});

describe('buildWakeInvocation', () => {
  it('substitutes every placeholder inside one argument', () => {
    const result = buildWakeInvocation('run --id=${TASK_ID} "${TASK_DESCRIPTION}"', wakeTask('fix it'));
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.file).to.equal('run');
    expect(result.value.args).to.deep.equal(['--id=task-00000000000000aa', 'fix it']);
  });

  it('passes the task as JSON in ${TASK_JSON} and AGENTCOM_TASK_JSON', () => {
    const result = buildWakeInvocation(['run', '${TASK_JSON}'], wakeTask('d'));
    if (!result.ok) throw new Error(result.detail);
    expect(JSON.parse(result.value.args[0])).to.deep.equal(wakeTask('d'));
    expect(result.value.env.AGENTCOM_TASK_JSON).to.equal(result.value.args[0]);
  });

  it('does not expand placeholders that arrive inside the description', () => {
    const result = buildWakeInvocation('run ${TASK_DESCRIPTION}', wakeTask('${TASK_ID}'));
    expect(result.ok && result.value.args).to.deep.equal(['${TASK_ID}']);
  });
});

describe('runWakeOnce', () => {
  let dir: TempDir;
  let recorder: string;
  beforeEach(() => {
    dir = makeTempDir('sidecar-wake');
    recorder = path.join(dir.path, 'record.cjs');
    writeFileSync(
      recorder,
      `require('fs').writeFileSync(process.argv[2], JSON.stringify({ argv: process.argv.slice(3), env: process.env.AGENTCOM_TASK_DESCRIPTION, id: process.env.AGENTCOM_TASK_ID }));`,
    );
  });
  afterEach(() => dir.remove());

  for (const description of hostileDescriptions) {
    it(`delivers ${JSON.stringify(description)} verbatim as one argument and in the env, running nothing`, async () => {
      const out = path.join(dir.path, 'out.json');
      const template = `"${process.execPath}" "${recorder}" "${out}" \${TASK_DESCRIPTION}`;
      const invocation = buildWakeInvocation(template, wakeTask(description));
      if (!invocation.ok) throw new Error(invocation.detail);
      const outcome = await runWakeOnce({ ...invocation.value }, 10_000);
      expect(outcome.exitCode).to.equal(0);
      const seen = JSON.parse(readFileSync(out, 'utf8'));
      expect(seen.argv).to.deep.equal([description]);
      expect(seen.env).to.equal(description);
      expect(seen.id).to.equal('task-00000000000000aa');
      expect(existsSync(path.join(process.cwd(), 'PWNED'))).to.equal(false);
      expect(existsSync(path.join(dir.path, 'PWNED'))).to.equal(false);
    });
  }

  it('kills a command that runs past the timeout', async () => {
    const started = Date.now();
    const outcome = await runWakeOnce({ file: process.execPath, args: ['-e', 'setTimeout(() => {}, 30000)'], env: {} }, 200);
    expect(outcome.timedOut).to.equal(true);
    expect(outcome.exitCode).to.not.equal(0);
    expect(Date.now() - started).to.be.below(10_000);
  });

  it('reports a missing program as a spawn error', async () => {
    const outcome = await runWakeOnce({ file: path.join(dir.path, 'no-such-program'), args: [], env: {} }, 5_000);
    expect(outcome.spawnError).to.match(/ENOENT/);
  });

  it('keeps the tail of stderr', async () => {
    const outcome = await runWakeOnce({ file: process.execPath, args: ['-e', 'console.error("agent is offline"); process.exit(3)'], env: {} }, 5_000);
    expect(outcome.exitCode).to.equal(3);
    expect(outcome.stderr).to.contain('agent is offline');
  });
});

describe('runWakeWithRetries', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('sidecar-wake-retry');
  });
  afterEach(() => dir.remove());

  const failing = { file: process.execPath, args: ['-e', 'console.error("openclaw: gateway down"); process.exit(1)'], env: {} };

  it('runs once more after each pause, then fails with the last stderr', async () => {
    const pauses: number[] = [];
    const result = await runWakeWithRetries(failing, {
      timeoutMs: 5_000,
      retryDelaysMs: [5_000, 15_000, 30_000],
      sleep: async (ms) => {
        pauses.push(ms);
      },
    });
    expect(pauses).to.deep.equal([5_000, 15_000, 30_000]);
    expect(result).to.deep.include({ ok: false, code: 'AC_ERR_WAKE_FAILED' });
    expect(!result.ok && result.detail).to.contain('openclaw: gateway down');
  });

  it('stops retrying once a run succeeds', async () => {
    const counter = path.join(dir.path, 'runs');
    const script = `const fs=require('fs');const n=fs.existsSync(${JSON.stringify(counter)})?1:0;fs.writeFileSync(${JSON.stringify(counter)},'x');process.exit(n?0:1)`;
    const result = await runWakeWithRetries({ file: process.execPath, args: ['-e', script], env: {} }, { timeoutMs: 5_000, retryDelaysMs: [0, 0, 0] });
    expect(result).to.deep.equal({ ok: true, value: { attempts: 2, stopped: false } });
  });

  it('stops when the task ends between attempts', async () => {
    let allowed = 1;
    const result = await runWakeWithRetries(failing, { timeoutMs: 5_000, retryDelaysMs: [0, 0, 0], shouldContinue: () => allowed-- > 0 });
    expect(result).to.deep.equal({ ok: true, value: { attempts: 1, stopped: true } });
  });
});

describe('wakeFailedReason', () => {
  it('keeps the original reason name and fits the hub limit of 2000 characters', () => {
    const reason = wakeFailedReason(3, 'x'.repeat(5_000));
    expect(reason.startsWith('wake_failed_after_3_attempts: x')).to.equal(true);
    expect(reason.length).to.equal(2_000);
  });
});
