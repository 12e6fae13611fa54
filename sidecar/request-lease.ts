// `agentcom-sidecar lease`: the agent's side of an extra path lease. Waits until no earlier
// request is pending, removes the last result, writes <task_id>.lease.json atomically with a
// request id of its own, then waits for the <task_id>.lease-result.json that carries that id.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, unlink } from 'node:fs/promises';
import { leaseFilePath } from './lease-files.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

const pollMs = 200;

export type LeaseCommand =
  | { action: 'acquire'; paths: string[]; repo?: string }
  | { action: 'release'; leaseId: string };

export type LeaseCommandOutcome = { kind: 'answered'; answer: Record<string, unknown> } | { kind: 'timeout'; waitingFor: 'earlier request' | 'result' };

export async function requestLease(resultsDir: string, taskId: string, command: LeaseCommand, timeoutMs: number | null): Promise<LeaseCommandOutcome> {
  const deadline = timeoutMs === null ? Infinity : Date.now() + timeoutMs;
  const requestPath = leaseFilePath(resultsDir, taskId, 'lease');
  const resultPath = leaseFilePath(resultsDir, taskId, 'lease-result');
  await mkdir(resultsDir, { recursive: true });
  // One request at a time per task: the sidecar removes the file once it has answered it.
  while (await exists(requestPath)) {
    if (Date.now() >= deadline) return { kind: 'timeout', waitingFor: 'earlier request' };
    await sleep(pollMs);
  }
  await unlink(resultPath).catch(() => undefined);
  const id = `cli-${randomBytes(8).toString('hex')}`;
  const body = command.action === 'acquire'
    ? { action: 'acquire', paths: command.paths, ...(command.repo !== undefined ? { repo: command.repo } : {}), id }
    : { action: 'release', lease_id: command.leaseId, id };
  await writeFileAtomic(requestPath, `${JSON.stringify(body)}\n`);
  for (;;) {
    const text = await readFile(resultPath, 'utf8').catch(() => null);
    if (text !== null) {
      try {
        const answer = JSON.parse(text) as Record<string, unknown>;
        if (answer.request_id === id) return { kind: 'answered', answer };
      } catch {
        // The sidecar writes atomically; a foreign half-written file is read again next time.
      }
    }
    if (Date.now() >= deadline) return { kind: 'timeout', waitingFor: 'result' };
    await sleep(pollMs);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}
