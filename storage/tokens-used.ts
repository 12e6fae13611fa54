// How many tokens a completed task used: the one place that reads it. The
// reference takes `tokens_used` from the report, else from `result.tokens_used`.
export function tokensUsed(reported: number | null | undefined, result: unknown): number | null {
  if (reported !== undefined && reported !== null) return reported;
  if (typeof result !== 'object' || result === null) return null;
  const inResult = (result as { tokens_used?: unknown }).tokens_used;
  return typeof inResult === 'number' && Number.isInteger(inResult) && inResult >= 0 ? inResult : null;
}
