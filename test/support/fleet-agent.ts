// A bare WebSocket agent for the fleet-control tests: identifies (with a provider when
// given), takes an assignment and reports on it by hand.
import type { TestHub } from './hub-harness.ts';
import { WsTestClient, type Frame } from './ws-client.ts';

export interface FleetAgent {
  agentId: string;
  token: string;
  ws: WsTestClient;
  /** Waits for the next task_assign and accepts it. */
  takeTask(timeoutMs?: number): Promise<Frame>;
  fail(task: Frame, error?: string): Promise<Frame>;
  complete(task: Frame, tokensUsed?: number): Promise<Frame>;
}

export async function connectFleetAgent(
  wsUrl: string, agentId: string, token: string, options: { provider?: string } = {},
): Promise<FleetAgent> {
  const ws = await WsTestClient.connect(wsUrl);
  await ws.request({
    type: 'identify', agent_id: agentId, token, capabilities: [], protocol_version: 1,
    ...(options.provider ? { provider: options.provider } : {}),
  }, 'identified');
  return {
    agentId, token, ws,
    async takeTask(timeoutMs = 5_000) {
      const task = await ws.nextMessage('task_assign', timeoutMs);
      await ws.request({ type: 'task_accepted', task_id: task.task_id, generation: task.generation }, 'task_ack');
      return task;
    },
    fail: (task, error = 'boom') => ws.request({ type: 'task_failed', task_id: task.task_id, generation: task.generation, error }, 'task_ack'),
    complete: (task, tokensUsed) => ws.request({
      type: 'task_complete', task_id: task.task_id, generation: task.generation, result: { status: 'success' },
      ...(tokensUsed !== undefined ? { tokens_used: tokensUsed } : {}),
    }, 'task_ack'),
  };
}

export async function agentView(hub: Pick<TestHub, 'http'>, agentId: string): Promise<Record<string, any> | undefined> {
  const listed = await hub.http('GET', '/api/dashboard/state');
  return (listed.body.agents as Array<Record<string, any>>).find((agent) => agent.agent_id === agentId);
}
