// Channels over HTTP: create (HTTP only, as in the reference), list, detail,
// subscribe, unsubscribe, publish, history; and an agent's subscriptions.
import { messagingLimits } from '../protocol/messaging-messages.ts';
import { actingAgent, pageNumber } from './message-access.ts';
import { failureReply, typedReply } from './reply.ts';
import { principalName, type Route, type RouteDeps } from './route.ts';

export function channelRoutes({ hub: { messaging } }: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/api/channels', auth: 'none',
      handle: () => typedReply('channel_list', 200, { channels: messaging.listChannels() }),
    },
    {
      method: 'POST', path: '/api/channels', auth: 'agent', body: 'channel_create',
      async handle({ body, principal }) {
        const { name, description } = body;
        const created = await messaging.createChannel(name, description ?? '', principalName(principal));
        return created.ok ? typedReply('channel_created', 201, { status: 'created', ...created.value }) : failureReply(created, { channel: name });
      },
    },
    {
      method: 'GET', path: '/api/channels/:ch', auth: 'none',
      handle({ params }) {
        const found = messaging.channel(params.ch!);
        return found.ok ? typedReply('channel', 200, found.value) : failureReply(found, { channel: params.ch! });
      },
    },
    {
      method: 'POST', path: '/api/channels/:ch/subscribe', auth: 'agent', body: 'channel_member',
      async handle({ params, body, principal }) {
        const acting = actingAgent(principal, body.agent_id);
        if ('status' in acting) return acting;
        const done = await messaging.subscribe(acting.agentId, params.ch!);
        if (!done.ok) return failureReply(done, { channel: params.ch });
        const { channel, already } = done.value;
        return typedReply('channel_membership', 200, {
          status: 'subscribed', channel, agent_id: acting.agentId, ...(already ? { note: 'already_subscribed' as const } : {}),
        });
      },
    },
    {
      method: 'POST', path: '/api/channels/:ch/unsubscribe', auth: 'agent', body: 'channel_member',
      async handle({ params, body, principal }) {
        const acting = actingAgent(principal, body.agent_id);
        if ('status' in acting) return acting;
        const done = await messaging.unsubscribe(acting.agentId, params.ch!);
        if (!done.ok) return failureReply(done, { channel: params.ch });
        return typedReply('channel_membership', 200, { status: 'unsubscribed', channel: done.value.channel, agent_id: acting.agentId });
      },
    },
    {
      method: 'POST', path: '/api/channels/:ch/publish', auth: 'agent', body: 'channel_post',
      async handle({ params, body, principal }) {
        const post = body;
        const done = await messaging.publish(principalName(principal)!, params.ch!, {
          message_type: post.message_type ?? post.type ?? 'chat', payload: post.payload,
          reply_to: post.reply_to ?? null, client_msg_id: post.client_msg_id ?? null,
        });
        if (!done.ok) return failureReply(done, { channel: params.ch });
        const { channel, seq, id, duplicate } = done.value;
        return typedReply('channel_published', 200, { status: 'published', channel, seq, id, ...(duplicate ? { duplicate: true as const } : {}) });
      },
    },
    {
      method: 'GET', path: '/api/channels/:ch/history', auth: 'none', query: 'cursor_query',
      async handle({ params, body }) {
        const query = body;
        const since = pageNumber(query.since, 0);
        const found = await messaging.history(params.ch!, since, pageNumber(query.limit, messagingLimits.historyDefault, messagingLimits.historyMax));
        if (!found.ok) return failureReply(found, { channel: params.ch });
        const { channel, messages } = found.value;
        return typedReply('channel_history', 200, { channel, messages, count: messages.length, last_seq: messages.at(-1)?.seq ?? since });
      },
    },
    {
      method: 'GET', path: '/api/subscriptions/:agent_id', auth: 'agent',
      handle: ({ params }) => typedReply('subscriptions', 200, { agent_id: params.agent_id!, channels: messaging.subscriptionsOf(params.agent_id!) }),
    },
  ];
}
