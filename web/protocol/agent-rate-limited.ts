// agent_rate_limited: the agent's provider refused it until `until` (epoch ms). The hub parks
// the agent (blocked, rate_limited) keeping its task, and wakes it at `until` with task_resume.
// The sidecar sends it when the agent writes <task_id>.rate_limited.json in its results dir.
import { Type, type Static } from '@sinclair/typebox';
import { generationField, reasonField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const agentRateLimitedSchema = wsMessage('agent_rate_limited', {
  task_id: taskIdField,
  until: Type.Integer({ minimum: 0 }),
  generation: Type.Optional(generationField),
  reason: Type.Optional(reasonField),
});
export type AgentRateLimited = Static<typeof agentRateLimitedSchema>;
