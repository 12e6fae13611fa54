// Messaging frames of the reference (§2): direct and broadcast messages, channels.
// `client_msg_id` is ours: a retry with the same id gets the first answer again.
import { Type, type Static } from '@sinclair/typebox';
import { channelField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const messagingLimits = {
  messageTypeChars: 64,
  replyToChars: 128,
  clientMsgIdChars: 128,
  /** Channel history page size: default and most. */
  historyDefault: 50,
  historyMax: 1000,
} as const;

export const payloadField = Type.Record(Type.String(), Type.Unknown());
export const messageTypeField = Type.String({ minLength: 1, maxLength: messagingLimits.messageTypeChars });
export const replyToField = Type.String({ maxLength: messagingLimits.replyToChars });
export const clientMsgIdField = Type.String({ minLength: 1, maxLength: messagingLimits.clientMsgIdChars });

export const messageSchema = wsMessage('message', {
  payload: payloadField,
  /** An agent id; omitted or "broadcast" sends to every connected agent. */
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** Defaults to "chat". */
  message_type: Type.Optional(messageTypeField),
  reply_to: Type.Optional(replyToField),
  client_msg_id: Type.Optional(clientMsgIdField),
});
export type MessageFrame = Static<typeof messageSchema>;

export const listChannelsSchema = wsMessage('list_channels', {});
export const channelSubscribeSchema = wsMessage('channel_subscribe', { channel: channelField });
export const channelUnsubscribeSchema = wsMessage('channel_unsubscribe', { channel: channelField });
export type ChannelSubscriptionFrame = Static<typeof channelSubscribeSchema>;

export const channelPublishSchema = wsMessage('channel_publish', {
  channel: channelField,
  payload: payloadField,
  message_type: Type.Optional(messageTypeField),
  reply_to: Type.Optional(replyToField),
  client_msg_id: Type.Optional(clientMsgIdField),
});
export type ChannelPublishFrame = Static<typeof channelPublishSchema>;

export const channelHistorySchema = wsMessage('channel_history', {
  channel: channelField,
  /** Default 50. */
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: messagingLimits.historyMax })),
  /** Only messages with a greater seq; default 0. */
  since: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ChannelHistoryFrame = Static<typeof channelHistorySchema>;

export const messagingSchemas = [
  messageSchema, listChannelsSchema, channelSubscribeSchema,
  channelUnsubscribeSchema, channelPublishSchema, channelHistorySchema,
];
/** Any messaging frame that passed its schema; `type` tells which. */
export type MessagingFrame = Static<(typeof messagingSchemas)[number]>;
