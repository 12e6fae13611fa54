// HTTP bodies and replies of fleet control (budgets, breakers, provider quotas).
import { Type, type Static } from '@sinclair/typebox';
import { agentViewSchema } from './agent-view.ts';

const tokens = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 });
const tokensOrNull = Type.Union([tokens, Type.Null()]);

/** PUT /api/budgets: a number sets a daily token budget, null removes it; absent keys stay as they are (unknown keys pass, as everywhere). */
export const dailyBudgetsUpdateSchema = Type.Object({
  fleet: Type.Optional(tokensOrNull),
  agent_default: Type.Optional(tokensOrNull),
  agents: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 128 }), tokensOrNull, { maxProperties: 10_000 })),
}, { additionalProperties: true, $id: 'http/daily_budgets_update' });
export type DailyBudgetsUpdate = Static<typeof dailyBudgetsUpdateSchema>;

// Replies and views of fleet control: today's budgets and usage, the providers in use.
// The fleet port's types are these (web/ports/fleet-port.ts); the dashboard snapshot's
// `fleet_control` carries the same two views.
const count = Type.Integer({ minimum: 0 });

/** Daily token budgets as set; absent keys mean no limit. */
export const dailyBudgetSettingsSchema = Type.Object({
  fleet: Type.Optional(tokens),
  agent_default: Type.Optional(tokens),
  agents: Type.Optional(Type.Record(Type.String(), tokens)),
});
export type DailyBudgetSettings = Static<typeof dailyBudgetSettingsSchema>;

const budgetUsage = { budget_tokens: tokensOrNull, used_tokens: count, spent: Type.Boolean() };
/** GET /api/budgets, PUT /api/budgets: today's (UTC) budgets and usage. */
export const dailyBudgetsViewSchema = Type.Object({
  day: Type.String(),
  resets_at: count,
  settings: dailyBudgetSettingsSchema,
  fleet: Type.Object(budgetUsage),
  agents: Type.Array(Type.Object({ agent_id: Type.String(), ...budgetUsage })),
});
export type DailyBudgetsView = Static<typeof dailyBudgetsViewSchema>;

/** One provider across the fleet: its cap, tasks out with its agents, and its agents parked by a rate limit. */
export const providerViewSchema = Type.Object({
  provider: Type.String(),
  limit: Type.Union([count, Type.Null()]),
  in_use: count,
  parked: count,
  agents: count,
});
export type ProviderView = Static<typeof providerViewSchema>;

/** GET /api/providers. */
export const providerListSchema = Type.Object({ providers: Type.Array(providerViewSchema) });

/** The dashboard snapshot's `fleet_control`: budgets null when the hub runs without a token ledger. */
export const fleetControlViewSchema = Type.Object({
  providers: Type.Array(providerViewSchema),
  budgets: Type.Union([dailyBudgetsViewSchema, Type.Null()]),
});

/** POST /api/agents/:id/unblock: the agent as it is now. */
export const agentUnblockedSchema = Type.Object({ status: Type.Literal('unblocked'), agent: agentViewSchema });
