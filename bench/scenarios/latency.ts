// Registered ahead of the hub API it needs, so `npm run bench` names it instead of leaving it out.
import { skipped, type Scenario } from '../lib/scenario.ts';

export const latencyScenario: Scenario = {
  name: 'latency',
  description: 'end-to-end latency from HTTP submit to the assignment frame on the agent WebSocket, p50/p99/p99.9',
  run: async () => skipped('needs the hub HTTP/WS API (web/server.ts, web/agent-socket.ts), which is not built yet'),
};
