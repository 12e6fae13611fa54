// `agentcom-sidecar ask`: the agent's side of a question mid-task. Writes
// <task_id>.question.json atomically (removing an old answer first, so the answer
// read is this question's), then waits for <task_id>.answer.json and hands it back.
import { readFile, unlink } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { questionFilePath } from './question-files.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

const pollMs = 500;

export type AskOutcome = { kind: 'answered'; answer: Record<string, unknown> } | { kind: 'timeout' };

export async function askQuestion(
  resultsDir: string,
  taskId: string,
  question: { question: string; options: string[] },
  timeoutMs: number | null,
): Promise<AskOutcome> {
  const answerPath = questionFilePath(resultsDir, taskId, 'answer');
  await unlink(answerPath).catch(() => undefined);
  await mkdir(resultsDir, { recursive: true });
  const body = { question: question.question, ...(question.options.length > 0 ? { options: question.options } : {}), asked_at: Date.now() };
  await writeFileAtomic(questionFilePath(resultsDir, taskId, 'question'), `${JSON.stringify(body)}\n`);
  const deadline = timeoutMs === null ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(answerPath, 'utf8').catch(() => null);
    if (text !== null) {
      try {
        return { kind: 'answered', answer: JSON.parse(text) as Record<string, unknown> };
      } catch {
        // The sidecar writes atomically; a foreign half-written file is read again next time.
      }
    }
    if (Date.now() >= deadline) return { kind: 'timeout' };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
