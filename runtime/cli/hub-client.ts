// What the client subcommands share: where the hub is, the token, one HTTP call,
// and printing (a plain table for people, `--json` for scripts).
import type { Command } from 'commander';
import { hubRequest, hubUrlFrom, tokenFrom } from './hub-request.ts';
import type { HttpReply, HttpReplyName } from '../../web/protocol/http-replies.ts';

export interface HubFlags {
  hub?: string;
  token?: string;
  json?: boolean;
}

/** Adds --hub, --token and --json to a client subcommand. */
export function withHubOptions(command: Command): Command {
  return command
    .option('--hub <url>', 'hub URL (env AGENTCOM_HUB_URL; default http://127.0.0.1:4000)')
    .option('--token <token>', 'API token (env AGENTCOM_TOKEN, else AGENTCOM_ADMIN_TOKEN)')
    .option('--json', 'print the raw JSON response');
}

class HubRequestError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    const described = typeof body === 'object' && body !== null ? body as Record<string, unknown> : { error: String(body) };
    const detail = described.detail ? `: ${String(described.detail)}` : '';
    const code = described.code ? ` (${String(described.code)})` : '';
    super(`hub answered ${status} ${String(described.error ?? '')}${code}${detail}`);
  }
}

/** One HTTP call through hub-request.ts (the one client all CLIs share); a non-2xx answer throws. */
/** `reply` names the schema the hub answers with (web/protocol/http-replies.ts): it types what comes back. */
export async function callHub<N extends HttpReplyName>(reply: N, flags: HubFlags, method: string, path: string, body?: unknown): Promise<HttpReply<N>> {
  const reached = await hubRequest(hubUrlFrom(flags.hub), method, path, { token: tokenFrom(flags.token), body });
  if (!reached.ok) throw new Error(reached.reason);
  if (reached.response.status >= 400) throw new HubRequestError(reached.response.status, reached.response.body);
  return reached.response.body as HttpReply<N>;
}

/** Runs a subcommand action; failures print one line to stderr and exit 1. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      process.stderr.write(`agentcom: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A left-aligned text table; empty cells print as `-`. */
export function printTable(columns: string[], rows: unknown[][]): void {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n')}\n`);
}

export function formatTime(ms: number | null | undefined): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}
