// Enrollment tokens for `registration: token` (runtime/enrollment.ts): an admin issues
// one per agent to enroll (`agentcom token enroll --ttl 1h`), and it is shown once.
import { typedReply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function enrollmentRoutes({ hub: { access } }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/admin/enrollment-tokens', auth: 'admin', body: 'enrollment_token_create',
      async handle({ body }) {
        const issued = await access.issueEnrollmentToken(body.ttl_ms);
        return typedReply('enrollment_token', 201, { ...issued, registration: access.registrationMode(), single_use: true });
      },
    },
  ];
}
