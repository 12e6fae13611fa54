// POST /api/onboard/register: open, as in the reference, because add-agent.js
// calls it before the new agent has any token.
import type { OnboardRegister } from '../protocol/http-bodies.ts';
import { failureReply, reply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function onboardingRoutes({ hub, secure }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/onboard/register', auth: 'none', body: 'onboard_register',
      async handle({ body, host }) {
        const { agent_id: agentId } = body as OnboardRegister;
        const registered = await hub.registerAgent(agentId);
        if (!registered.ok) return failureReply(registered);
        return reply(201, {
          agent_id: registered.value.agent_id,
          token: registered.value.token,
          hub_ws_url: `${secure ? 'wss' : 'ws'}://${host}/ws`,
          hub_api_url: `${secure ? 'https' : 'http'}://${host}`,
          default_repo: hub.defaultRepo(),
        });
      },
    },
  ];
}
