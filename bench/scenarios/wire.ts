// Registered ahead of the hub API it needs, so `npm run bench` names it instead of leaving it out.
import { skipped, type Scenario } from '../lib/scenario.ts';

export const wireScenario: Scenario = {
  name: 'wire',
  description: 'message encode/validate/decode cost on the agent socket (TypeBox/ajv validators)',
  run: async () => skipped('needs the hub HTTP/WS API (web/server.ts, web/agent-socket.ts), which is not built yet'),
};
