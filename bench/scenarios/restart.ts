// Registered ahead of the hub API it needs, so `npm run bench` names it instead of leaving it out.
import { skipped, type Scenario } from '../lib/scenario.ts';

export const restartScenario: Scenario = {
  name: 'restart',
  description: 'time from kill -9 to the hub serving again, with 100k/1M tasks in the store',
  run: async () => skipped('needs the hub HTTP/WS API (web/server.ts, web/agent-socket.ts), which is not built yet'),
};
