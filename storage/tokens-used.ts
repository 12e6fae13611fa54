// How many tokens a task used: the one place that reads it. `tokens_used` in progress and
// completion reports is cumulative (the task's total so far), so the stored count only grows:
// a report that says less than was already counted (out of order, a restarted agent) changes nothing.
// The reference takes a completion's `tokens_used` from the report, else from `result.tokens_used`.

/** The count a completion reports: its own `tokens_used`, else `result.tokens_used`. */
export function tokensUsed(reported: number | null | undefined, result: unknown): number | null {
  if (reported !== undefined && reported !== null) return reported;
  if (typeof result !== 'object' || result === null) return null;
  const inResult = (result as { tokens_used?: unknown }).tokens_used;
  return typeof inResult === 'number' && Number.isInteger(inResult) && inResult >= 0 ? inResult : null;
}

/** The task's cumulative count after a report: never below what was already counted. */
export function cumulativeTokens(stored: number | null, reported: number | null): number | null {
  if (reported === null) return stored;
  if (stored === null) return reported;
  return Math.max(stored, reported);
}

/** Tokens a report added to the task's count (what daily budgets are charged). */
export function tokensAdded(before: number | null, after: number | null): number {
  return Math.max(0, (after ?? 0) - (before ?? 0));
}

/** A task with a budget has passed it once its cumulative count is above the budget. */
export function overBudget(task: { tokens_used: number | null; budget_tokens?: number | null }): boolean {
  return task.budget_tokens != null && task.tokens_used !== null && task.tokens_used > task.budget_tokens;
}
