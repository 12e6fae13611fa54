import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseQuestionText, questionFilePath, writeAnswerFile } from '../../../sidecar/question-files.ts';
import { ResultWatcher } from '../../../sidecar/result-watcher.ts';
import { askQuestion } from '../../../sidecar/ask-question.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const taskId = 'task-00000000000000q1';

describe('question files', () => {
  it('reads a question with options and context, and keeps the agent\'s own id', () => {
    const parsed = parseQuestionText(JSON.stringify({ question: 'Ship?', options: ['yes', 'no'], context: { pr: 7 }, id: 'ship-1' }), '10:1');
    expect(parsed).to.deep.equal({ ok: true, question: { questionId: 'ship-1', question: 'Ship?', options: ['yes', 'no'], context: { pr: 7 } } });
  });

  it('derives the same id from the same file and stamp, and another from another stamp', () => {
    const text = JSON.stringify({ question: 'Ship?' });
    const first = parseQuestionText(text, '10:1');
    const again = parseQuestionText(text, '10:1');
    const later = parseQuestionText(text, '10:2');
    expect(first.ok && again.ok && first.question.questionId).to.equal(again.ok && again.question.questionId).and.match(/^q-[0-9a-f]{16}$/);
    expect(later.ok && later.question.questionId).to.not.equal(first.ok && first.question.questionId);
  });

  for (const [what, text, detail] of [
    ['not JSON', '{"question":', /not JSON/],
    ['an array', '[]', /JSON object/],
    ['an empty question', '{"question":""}', /question must be/],
    ['options that are not strings', '{"question":"q","options":[1]}', /options must be/],
    ['a context that is not an object', '{"question":"q","context":"x"}', /context must be/],
    ['an id with a slash', '{"question":"q","id":"../x"}', /id must be/],
  ] as const) {
    it(`refuses ${what} with a reason the agent can read`, () => {
      const parsed = parseQuestionText(text, '1:1');
      expect(parsed.ok).to.equal(false);
      if (!parsed.ok) expect(parsed.detail).to.match(detail);
    });
  }

  describe('watched beside the result files', () => {
    let dir: TempDir;
    let watcher: ResultWatcher;
    const asked: string[] = [];

    beforeEach(async () => {
      dir = makeTempDir('sidecar-questions');
      asked.length = 0;
      watcher = new ResultWatcher({ resultsDir: dir.path, taskId, pollIntervalMs: 50 }, {
        onStarted: () => {}, onProgress: () => {}, onOutcome: () => {}, onQuestion: (text) => asked.push(text),
      });
      await watcher.start();
    });
    afterEach(() => {
      watcher.stop();
      dir.remove();
    });

    it('hands each version of the question file on once, and again after askAgain', async () => {
      writeFileSync(questionFilePath(dir.path, taskId, 'question'), '{"question":"one"}');
      await waitFor(() => asked.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(asked).to.deep.equal(['{"question":"one"}']);
      watcher.askAgain();
      await waitFor(() => asked.length === 2);
      unlinkSync(questionFilePath(dir.path, taskId, 'question'));
      watcher.questionAnswered();
      writeFileSync(questionFilePath(dir.path, taskId, 'question'), '{"question":"two"}');
      await waitFor(() => asked.length === 3);
      expect(asked[2]).to.equal('{"question":"two"}');
    });

    it('writes the answer file whole', async () => {
      await writeAnswerFile(dir.path, taskId, { question_id: 'q-1', answer: 'yes' });
      expect(JSON.parse(readFileSync(questionFilePath(dir.path, taskId, 'answer'), 'utf8'))).to.deep.equal({ question_id: 'q-1', answer: 'yes' });
    });
  });
});

describe('askQuestion (agentcom-sidecar ask)', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('sidecar-ask');
  });
  afterEach(() => dir.remove());

  it('writes the question, drops an old answer, and returns the answer once it is written', async () => {
    writeFileSync(questionFilePath(dir.path, taskId, 'answer'), '{"answer":"stale"}');
    const asking = askQuestion(dir.path, taskId, { question: 'Ship?', options: ['yes', 'no'] }, 10_000);
    await waitFor(() => existsSync(questionFilePath(dir.path, taskId, 'question')));
    expect(JSON.parse(readFileSync(questionFilePath(dir.path, taskId, 'question'), 'utf8'))).to.include({ question: 'Ship?' });
    expect(existsSync(questionFilePath(dir.path, taskId, 'answer'))).to.equal(false);
    await writeAnswerFile(dir.path, taskId, { question_id: 'q-1', answer: 'yes' });
    expect(await asking).to.deep.equal({ kind: 'answered', answer: { question_id: 'q-1', answer: 'yes' } });
  });

  it('gives up after its timeout, leaving the question asked', async () => {
    expect(await askQuestion(dir.path, taskId, { question: 'Ship?', options: [] }, 100)).to.deep.equal({ kind: 'timeout' });
    expect(existsSync(questionFilePath(dir.path, taskId, 'question'))).to.equal(true);
  });
});
