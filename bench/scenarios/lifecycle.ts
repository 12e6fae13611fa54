// Registered ahead of the hub API it needs, so `npm run bench` names it instead of leaving it out.
import { skipped, type Scenario } from '../lib/scenario.ts';

export const lifecycleScenario: Scenario = {
  name: 'lifecycle',
  description: 'task lifecycle over the hub HTTP/WS API: submit → assign → accept → complete per second',
  run: async () => skipped('needs the hub HTTP/WS API (web/server.ts, web/agent-socket.ts), which is not built yet'),
};
