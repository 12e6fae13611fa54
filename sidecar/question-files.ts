// The files of an agent's question mid-task, beside its result files in results_dir:
//   <task_id>.question.json  the agent asks: {"question": "…", "options"?: ["yes","no"], "context"?: {…}, "id"?: "…"}
//   <task_id>.answer.json    the sidecar answers: {"approval_id","question_id","answer","answered_at","answered_by"}
//                            or, when the question cannot be asked: {"question_id","error","detail"}
// The sidecar sends the question as `approval_request` and writes the answer when
// `approval_answer` comes; then it removes the question file, so the agent may ask again.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ApprovalAnswer } from '../web/protocol/approvals.ts';
import { approvalLimits } from '../web/protocol/approval-limits.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

export type QuestionFileKind = 'question' | 'answer';

export function questionFilePath(resultsDir: string, taskId: string, kind: QuestionFileKind): string {
  return path.join(resultsDir, `${taskId}.${kind}.json`);
}

export interface AgentQuestion {
  questionId: string;
  question: string;
  options?: string[];
  context?: Record<string, unknown>;
}

const questionIdPattern = new RegExp(`^[A-Za-z0-9._:-]{1,${approvalLimits.questionIdChars}}$`);

/**
 * Reads a question file's text. The question id is the file's own `id`, or else one derived
 * from its content and `stamp` (size and mtime): the same file asked again after a reconnect
 * or a sidecar restart keeps its id, so the hub answers it instead of storing it twice.
 */
export function parseQuestionText(text: string, stamp: string): { ok: true; question: AgentQuestion } | { ok: false; detail: string; questionId: string } {
  const derivedId = `q-${createHash('sha256').update(`${stamp}\n${text}`).digest('hex').slice(0, 16)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, detail: `not JSON: ${(error as Error).message}`, questionId: derivedId };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, detail: 'must be a JSON object', questionId: derivedId };
  const fields = parsed as Record<string, unknown>;
  const id = fields.id;
  if (id !== undefined && (typeof id !== 'string' || !questionIdPattern.test(id))) {
    return { ok: false, detail: `id must be 1-${approvalLimits.questionIdChars} letters, digits, . _ : or -`, questionId: derivedId };
  }
  const questionId = typeof id === 'string' ? id : derivedId;
  const question = fields.question;
  if (typeof question !== 'string' || question.length === 0 || question.length > approvalLimits.questionChars) {
    return { ok: false, detail: `question must be a string of 1-${approvalLimits.questionChars} characters`, questionId };
  }
  const options = fields.options;
  if (options !== undefined && (!Array.isArray(options) || options.length > approvalLimits.options
    || !options.every((option) => typeof option === 'string' && option.length > 0 && option.length <= approvalLimits.optionChars))) {
    return { ok: false, detail: `options must be at most ${approvalLimits.options} strings of 1-${approvalLimits.optionChars} characters`, questionId };
  }
  const context = fields.context;
  if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context))) {
    return { ok: false, detail: 'context must be a JSON object', questionId };
  }
  return {
    ok: true,
    question: {
      questionId, question,
      ...(options !== undefined ? { options: options as string[] } : {}),
      ...(context !== undefined ? { context: context as Record<string, unknown> } : {}),
    },
  };
}

/** Writes the answer file atomically: the agent reads the whole answer or none. */
export async function writeAnswerFile(resultsDir: string, taskId: string, body: Record<string, unknown>): Promise<string> {
  const filePath = questionFilePath(resultsDir, taskId, 'answer');
  await mkdir(resultsDir, { recursive: true });
  await writeFileAtomic(filePath, `${JSON.stringify(body)}\n`);
  return filePath;
}

export function answerBodyOf(frame: ApprovalAnswer): Record<string, unknown> {
  return {
    approval_id: frame.approval_id, question_id: frame.question_id, answer: frame.answer,
    answered_at: frame.answered_at, answered_by: frame.answered_by,
  };
}
