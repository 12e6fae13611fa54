// What the client subcommands share: where the hub is, the token, one HTTP call,
// and printing (a plain table for people, `--json` for scripts).
import type { Command } from 'commander';

export interface HubFlags {
  hub?: string;
  token?: string;
  json?: boolean;
}

export const defaultHubUrl = 'http://127.0.0.1:4000';

/** Adds --hub, --token and --json to a client subcommand. */
export function withHubOptions(command: Command): Command {
  return command
    .option('--hub <url>', `hub URL (env AGENTCOM_URL; default ${defaultHubUrl})`)
    .option('--token <token>', 'API token (env AGENTCOM_TOKEN)')
    .option('--json', 'print the raw JSON response');
}

export class HubRequestError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    const described = typeof body === 'object' && body !== null ? body as Record<string, unknown> : { error: String(body) };
    const detail = described.detail ? `: ${String(described.detail)}` : '';
    const code = described.code ? ` (${String(described.code)})` : '';
    super(`hub answered ${status} ${String(described.error ?? '')}${code}${detail}`);
  }
}

export async function callHub(flags: HubFlags, method: string, path: string, body?: unknown): Promise<any> {
  const base = (flags.hub ?? process.env.AGENTCOM_URL ?? defaultHubUrl).replace(/\/+$/, '');
  const token = flags.token ?? process.env.AGENTCOM_TOKEN;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new Error(`cannot reach the hub at ${base}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : String(error)}`);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Keep the text for the error message.
  }
  if (!response.ok) throw new HubRequestError(response.status, parsed);
  return parsed;
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
