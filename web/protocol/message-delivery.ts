// Messages pushed to agents, hub → agent (reference §2): a direct message from the mailbox
// or a broadcast (`message`), a channel message (`channel_message`, never echoed to its
// sender) and a new channel member (`channel_agent_joined`). A stored message as the
// mailbox and channel history return it is `messageViewSchema`.
import { Type, type Static } from '@sinclair/typebox';
import { agentIdField } from './field-limits.ts';
import { payloadField } from './messaging-messages.ts';

/** 16 hex characters in the reference; only bounded here. */
const messageIdField = Type.String({ minLength: 1, maxLength: 64 });
const replyTo = Type.Union([Type.String(), Type.Null()]);

/** A stored message: direct ones have `to`, channel ones `channel`; `seq` orders the mailbox or channel. */
export const messageViewSchema = Type.Object({
  seq: Type.Integer({ minimum: 0 }),
  id: messageIdField,
  from: Type.String(),
  to: Type.Optional(Type.String()),
  channel: Type.Optional(Type.String()),
  message_type: Type.String(),
  payload: payloadField,
  reply_to: replyTo,
  timestamp: Type.Integer({ minimum: 0 }),
});
export type MessageViewFrame = Static<typeof messageViewSchema>;

/** A direct message (with its mailbox `seq` and `to`), or a broadcast (`to: "broadcast"`, no seq: broadcasts are not stored). */
export const messageDeliveredSchema = Type.Object({
  type: Type.Literal('message'),
  ...messageViewSchema.properties,
  seq: Type.Optional(messageViewSchema.properties.seq),
});
export type MessageDelivered = Static<typeof messageDeliveredSchema>;

export const channelMessageSchema = Type.Object({
  type: Type.Literal('channel_message'),
  channel: Type.String(),
  id: messageIdField,
  seq: Type.Integer({ minimum: 0 }),
  from: Type.String(),
  message_type: Type.String(),
  payload: payloadField,
  reply_to: replyTo,
  timestamp: Type.Integer({ minimum: 0 }),
});
export type ChannelMessage = Static<typeof channelMessageSchema>;

export const channelAgentJoinedSchema = Type.Object({ type: Type.Literal('channel_agent_joined'), channel: Type.String(), agent_id: agentIdField });
export type ChannelAgentJoined = Static<typeof channelAgentJoinedSchema>;

export const messageDeliverySchemas = [messageDeliveredSchema, channelMessageSchema, channelAgentJoinedSchema];
/** A frame pushed on a topic (broadcast, channel); presence frames travel the same way. */
export type TopicFrame = Static<(typeof messageDeliverySchemas)[number]>;
