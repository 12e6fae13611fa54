// The answers to the messaging frames, hub → agent (reference §2): message_sent, channels,
// channel_subscribed, channel_unsubscribed, channel_published and channel_history. A refusal
// is an `error` frame (agent-replies.ts) with the channel it was about.
import { Type, type Static } from '@sinclair/typebox';
import { messageViewSchema } from './message-delivery.ts';

/** `seq` for a direct message (its mailbox seq), none for a broadcast; `duplicate` when client_msg_id was seen before. */
export const messageSentSchema = Type.Object({
  type: Type.Literal('message_sent'),
  id: Type.String(),
  seq: Type.Optional(Type.Integer({ minimum: 0 })),
  duplicate: Type.Optional(Type.Literal(true)),
});

export const channelViewSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  subscriber_count: Type.Integer({ minimum: 0 }),
  created_at: Type.Integer({ minimum: 0 }),
});

export const channelsReplySchema = Type.Object({ type: Type.Literal('channels'), channels: Type.Array(channelViewSchema) });
export const channelSubscribedSchema = Type.Object({
  type: Type.Literal('channel_subscribed'), channel: Type.String(), note: Type.Optional(Type.Literal('already_subscribed')),
});
export const channelUnsubscribedSchema = Type.Object({ type: Type.Literal('channel_unsubscribed'), channel: Type.String() });
export const channelPublishedSchema = Type.Object({
  type: Type.Literal('channel_published'), channel: Type.String(), seq: Type.Integer({ minimum: 0 }), id: Type.String(),
  duplicate: Type.Optional(Type.Literal(true)),
});
/** The reply shares its type with the request it answers. */
export const channelHistoryReplySchema = Type.Object({
  type: Type.Literal('channel_history'), channel: Type.String(), messages: Type.Array(messageViewSchema),
});

export const messagingReplySchemas = [
  messageSentSchema, channelsReplySchema, channelSubscribedSchema, channelUnsubscribedSchema, channelPublishedSchema, channelHistoryReplySchema,
];
export type MessagingReply = Static<(typeof messagingReplySchemas)[number]>;
