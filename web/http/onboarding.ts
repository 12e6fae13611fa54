// POST /api/onboard/register. Open in the reference, because add-agent.js calls it
// before the new agent has any token; here config `registration` decides: open,
// token (an `enrollment_token` in the body, single use) or closed. Admins always may.
import type { AccessPort, Principal } from '../ports/access-port.ts';
import { errorReply, failureReply, typedReply, type Reply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function onboardingRoutes({ hub: { access, config }, secure }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/onboard/register', auth: 'none', body: 'onboard_register',
      async handle({ body, host, principal }) {
        const { agent_id: agentId } = body;
        const refused = await admission(access, principal, body.enrollment_token);
        if (refused) return refused;
        const registered = await access.registerAgent(agentId);
        if (!registered.ok) return failureReply(registered);
        return typedReply('agent_registered', 201, {
          agent_id: registered.value.agent_id,
          token: registered.value.token,
          hub_ws_url: `${secure ? 'wss' : 'ws'}://${host}/ws`,
          hub_api_url: `${secure ? 'https' : 'http'}://${host}`,
          default_repo: config.defaultRepo(),
        });
      },
    },
  ];
}

/** Null when the caller may register; the refusal otherwise. */
async function admission(access: AccessPort, principal: Principal | null, enrollmentToken: unknown): Promise<Reply | null> {
  if (principal?.scope === 'admin') return null;
  switch (access.registrationMode()) {
    case 'open':
      return null;
    case 'closed':
      return errorReply('AC_ERR_REGISTRATION_CLOSED');
    case 'token':
      if (typeof enrollmentToken === 'string' && await access.consumeEnrollmentToken(enrollmentToken)) return null;
      return errorReply('AC_ERR_ENROLLMENT_TOKEN', { hint: 'ask an admin for one: agentcom token enroll --ttl 1h' });
  }
}
