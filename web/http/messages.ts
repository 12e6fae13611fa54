// Direct and broadcast messages over HTTP, mailboxes, and mailbox retention (reference §4).
import { actingAgent, pageNumber } from './message-access.ts';
import { failureReply, typedReply } from './reply.ts';
import { principalName, type Route, type RouteDeps } from './route.ts';

const mailboxPageDefault = 100;
const mailboxPageMax = 1000;

export function messageRoutes({ hub: { messaging } }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/message', auth: 'agent', body: 'message_send',
      async handle({ body, principal }) {
        const sent = body;
        const done = await messaging.send(principalName(principal)!, {
          to: sent.to ?? null, message_type: sent.message_type ?? sent.type ?? 'chat', payload: sent.payload,
          reply_to: sent.reply_to ?? null, client_msg_id: sent.client_msg_id ?? null,
        });
        if (!done.ok) return failureReply(done);
        const { id, seq, duplicate } = done.value;
        return typedReply('message_sent', 200, { status: 'sent', id, ...(seq !== null ? { seq } : {}), ...(duplicate ? { duplicate: true as const } : {}) });
      },
    },
    {
      method: 'GET', path: '/api/mailbox/:id', auth: 'agent', queryToken: true, query: 'cursor_query',
      async handle({ params, principal, body }) {
        const acting = actingAgent(principal, params.id);
        if ('status' in acting) return acting;
        const query = body;
        const page = await messaging.readMailbox(acting.agentId, pageNumber(query.since, 0), pageNumber(query.limit, mailboxPageDefault, mailboxPageMax));
        return page.ok ? typedReply('mailbox_page', 200, page.value) : failureReply(page);
      },
    },
    {
      method: 'POST', path: '/api/mailbox/:id/ack', auth: 'agent', queryToken: true, body: 'mailbox_ack',
      async handle({ params, principal, body }) {
        const acting = actingAgent(principal, params.id);
        if ('status' in acting) return acting;
        const acked = await messaging.ackMailbox(acting.agentId, body.seq);
        return acked.ok ? typedReply('mailbox_acked', 200, { status: 'acked', ...acked.value }) : failureReply(acked);
      },
    },
    {
      method: 'GET', path: '/api/config/mailbox-retention', auth: 'agent', queryToken: true,
      handle: () => typedReply('mailbox_retention', 200, messaging.retention()),
    },
    {
      method: 'PUT', path: '/api/config/mailbox-retention', auth: 'admin', body: 'mailbox_retention',
      async handle({ body }) {
        const set = await messaging.setRetention(body);
        return set.ok ? typedReply('mailbox_retention_updated', 200, { ...set.value, status: 'updated' }) : failureReply(set);
      },
    },
  ];
}
