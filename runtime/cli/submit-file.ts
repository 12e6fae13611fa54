// `agentcom submit --file tasks.jsonl`: one task per line (the body of POST /api/tasks,
// plus `ref` / `depends_on_refs` for a graph), sent through POST /api/tasks/bulk.
// Prints one line per task: its id, or `error <line>: <code> <detail>`.
import { readFile } from 'node:fs/promises';
import { describeHubError, hubRequest } from './hub-request.ts';

const bulkItems = 1_000;

export type FileSubmit = { ok: true; lines: string[]; failed: number } | { ok: false; reason: string };

export async function submitFile(filePath: string, hubUrl: string, token: string, json: boolean): Promise<FileSubmit> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    return { ok: false, reason: `cannot read ${filePath} (${(error as Error).message})` };
  }
  const items: Array<{ line: number; task: Record<string, unknown> }> = [];
  for (const [index, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    let task: unknown;
    try {
      task = JSON.parse(raw);
    } catch (error) {
      return { ok: false, reason: `${filePath}:${index + 1} is not valid JSON (${(error as Error).message})` };
    }
    if (typeof task !== 'object' || task === null || Array.isArray(task)) return { ok: false, reason: `${filePath}:${index + 1} must be a JSON object` };
    items.push({ line: index + 1, task: task as Record<string, unknown> });
  }
  if (items.length === 0) return { ok: false, reason: `${filePath} has no tasks` };
  const graph = items.some(({ task }) => task.ref !== undefined || task.depends_on_refs !== undefined);
  // A graph is created whole in one request; plain tasks go in chunks of the bulk limit.
  if (graph && items.length > bulkItems) return { ok: false, reason: `a graph (items with ref) is one request of at most ${bulkItems} tasks; ${filePath} has ${items.length}` };
  const lines: string[] = [];
  let failed = 0;
  for (let start = 0; start < items.length; start += bulkItems) {
    const chunk = items.slice(start, start + bulkItems);
    const reach = await hubRequest(hubUrl, 'POST', '/api/tasks/bulk', { token, body: { tasks: chunk.map(({ task }) => task) }, timeoutMs: 60_000 });
    if (!reach.ok) return { ok: false, reason: reach.reason };
    const { status, body } = reach.response;
    if (!Array.isArray(body?.results)) return { ok: false, reason: `submit: ${describeHubError(reach.response)}` };
    for (const result of body.results as Array<Record<string, unknown>>) {
      const line = chunk[result.index as number]!.line;
      if (json) lines.push(JSON.stringify({ line, ...result }));
      else if (result.ok) lines.push(String(result.task_id));
      else lines.push(`error ${filePath}:${line}: ${String(result.code)} ${String(result.detail ?? '')}`.trim());
      if (!result.ok) failed += 1;
    }
    if (status !== 200) break;
  }
  return { ok: true, lines, failed };
}
