// HTTP bodies of fleet control (budgets, breakers, provider quotas). A leaf: imports only TypeBox.
import { Type, type Static } from '@sinclair/typebox';

const tokens = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 });
const tokensOrNull = Type.Union([tokens, Type.Null()]);

/** PUT /api/budgets: a number sets a daily token budget, null removes it; absent keys stay as they are (unknown keys pass, as everywhere). */
export const dailyBudgetsUpdateSchema = Type.Object({
  fleet: Type.Optional(tokensOrNull),
  agent_default: Type.Optional(tokensOrNull),
  agents: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 128 }), tokensOrNull, { maxProperties: 10_000 })),
}, { additionalProperties: true, $id: 'http/daily_budgets_update' });
export type DailyBudgetsUpdate = Static<typeof dailyBudgetsUpdateSchema>;
