// Messaging frames on the agent socket (reference §2): message, list_channels and
// channel_*. Each is answered with the reference's reply type or an error frame
// carrying the reference's `error` string and our `code`.
import type { Failure } from '../storage/domain/errors.ts';
import { wireError } from './http/reply.ts';
import type { MessagingPort } from './ports/messaging-port.ts';
import type { ErrorFrame } from './protocol/agent-replies.ts';
import { messagingLimits, type MessagingFrame } from './protocol/messaging-messages.ts';
import type { MessagingReply } from './protocol/messaging-replies.ts';

export async function messagingFrame(messaging: MessagingPort, agentId: string, message: MessagingFrame): Promise<MessagingReply | ErrorFrame> {
  const { type } = message;
  switch (message.type) {
    case 'message': {
      const frame = message;
      const sent = await messaging.send(agentId, {
        to: frame.to ?? null, message_type: frame.message_type ?? 'chat', payload: frame.payload,
        reply_to: frame.reply_to ?? null, client_msg_id: frame.client_msg_id ?? null,
      });
      if (!sent.ok) return messagingError(type, sent);
      const { id, seq, duplicate } = sent.value;
      return { type: 'message_sent', id, ...(seq !== null ? { seq } : {}), ...(duplicate ? { duplicate: true as const } : {}) };
    }
    case 'list_channels':
      return { type: 'channels', channels: messaging.listChannels() };
    case 'channel_subscribe': {
      const subscribed = await messaging.subscribe(agentId, message.channel);
      if (!subscribed.ok) return messagingError(type, subscribed, { channel: message.channel });
      const { channel, already } = subscribed.value;
      return { type: 'channel_subscribed', channel, ...(already ? { note: 'already_subscribed' as const } : {}) };
    }
    case 'channel_unsubscribe': {
      const unsubscribed = await messaging.unsubscribe(agentId, message.channel);
      if (!unsubscribed.ok) return messagingError(type, unsubscribed, { channel: message.channel });
      return { type: 'channel_unsubscribed', channel: unsubscribed.value.channel };
    }
    case 'channel_publish': {
      const frame = message;
      const published = await messaging.publish(agentId, frame.channel, {
        message_type: frame.message_type ?? 'chat', payload: frame.payload,
        reply_to: frame.reply_to ?? null, client_msg_id: frame.client_msg_id ?? null,
      });
      if (!published.ok) return messagingError(type, published, { channel: frame.channel });
      const { channel, seq, id, duplicate } = published.value;
      return { type: 'channel_published', channel, seq, id, ...(duplicate ? { duplicate: true as const } : {}) };
    }
    case 'channel_history': {
      const frame = message;
      const found = await messaging.history(frame.channel, frame.since ?? 0, frame.limit ?? messagingLimits.historyDefault);
      if (!found.ok) return messagingError(type, found, { channel: frame.channel });
      return { type: 'channel_history', channel: found.value.channel, messages: found.value.messages };
    }
  }
}

function messagingError(type: string, failure: Failure, extra: { channel?: string } = {}): ErrorFrame {
  return { type: 'error', error: wireError(failure.code), code: failure.code, message_type: type, detail: failure.detail, ...extra };
}
