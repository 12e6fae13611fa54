// Registered ahead of the hub API it needs, so `npm run bench` names it instead of leaving it out.
import { skipped, type Scenario } from '../lib/scenario.ts';

export const connectionsScenario: Scenario = {
  name: 'connections',
  description: 'idle and active agent WebSocket connections per hub process, and RSS per connection',
  run: async () => skipped('needs the hub HTTP/WS API (web/server.ts, web/agent-socket.ts), which is not built yet'),
};
