// HTTP bodies, query strings and replies of the messaging endpoints (reference §4).
import { Type, type Static } from '@sinclair/typebox';
import { agentIdField, fieldLimits } from './field-limits.ts';
import { messageViewSchema } from './message-delivery.ts';
import { channelViewSchema } from './messaging-replies.ts';
import { clientMsgIdField, messageTypeField, payloadField, replyToField } from './messaging-messages.ts';

const body = <P extends import('@sinclair/typebox').TProperties>(id: string, properties: P) =>
  Type.Object(properties, { additionalProperties: true, $id: `http/${id}` });
const digits = (maxLength: number) => Type.String({ pattern: '^[0-9]+$', maxLength });

/** POST /api/message. The reference names the message type `type`; `message_type` is accepted too. */
export const messageSendSchema = body('message_send', {
  payload: payloadField,
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  type: Type.Optional(messageTypeField),
  message_type: Type.Optional(messageTypeField),
  reply_to: Type.Optional(replyToField),
  client_msg_id: Type.Optional(clientMsgIdField),
});
export type MessageSendBody = Static<typeof messageSendSchema>;

/** POST /api/mailbox/:id/ack: removes every message up to and including `seq`. */
export const mailboxAckSchema = body('mailbox_ack', { seq: Type.Integer({ minimum: 0 }) });
export type MailboxAckBody = Static<typeof mailboxAckSchema>;

/** GET /api/mailbox/:id and GET /api/channels/:ch/history. */
export const cursorQuerySchema = Type.Object(
  { since: Type.Optional(digits(16)), limit: Type.Optional(digits(4)) },
  { additionalProperties: true, $id: 'http/cursor_query' },
);
export type CursorQueryText = Static<typeof cursorQuerySchema>;

/** POST /api/channels. The name is normalised (leading #, case, other characters dropped). */
export const channelCreateSchema = body('channel_create', {
  name: Type.String({ minLength: 1, maxLength: fieldLimits.name }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
});
export type ChannelCreateBody = Static<typeof channelCreateSchema>;

/** POST /api/channels/:ch/subscribe|unsubscribe. An admin names the agent; an agent acts for itself. */
export const channelMemberSchema = body('channel_member', { agent_id: Type.Optional(agentIdField) });
export type ChannelMemberBody = Static<typeof channelMemberSchema>;

/** POST /api/channels/:ch/publish. */
export const channelPostSchema = body('channel_post', {
  payload: payloadField,
  type: Type.Optional(messageTypeField),
  message_type: Type.Optional(messageTypeField),
  reply_to: Type.Optional(replyToField),
  client_msg_id: Type.Optional(clientMsgIdField),
});
export type ChannelPostBody = Static<typeof channelPostSchema>;

/** PUT /api/config/mailbox-retention. `mailbox_ttl_ms` as in the reference; the caps are ours. */
export const mailboxRetentionSchema = body('mailbox_retention', {
  mailbox_ttl_ms: Type.Integer({ minimum: 1 }),
  mailbox_cap: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  channel_history_cap: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});
export type MailboxRetentionBody = Static<typeof mailboxRetentionSchema>;

// HTTP replies of the messaging endpoints. The messaging port's views are these schemas'
// types (web/ports/messaging-port.ts); a stored message is messageViewSchema, as on the socket.
const count = Type.Integer({ minimum: 0 });
const statusOf = <S extends string>(status: S) => Type.Literal(status);

/** POST /api/message: `seq` for a direct message (its mailbox seq), none for a broadcast. */
export const messageSentBodySchema = Type.Object({
  status: statusOf('sent'),
  id: Type.String(),
  seq: Type.Optional(count),
  duplicate: Type.Optional(Type.Literal(true)),
});

/** GET /api/mailbox/:id: pass `last_seq` back as `since` for the next page. */
export const mailboxPageSchema = Type.Object({
  agent_id: Type.String(),
  messages: Type.Array(messageViewSchema),
  /** Seq of the last message returned, or the `since` asked for when none was. */
  last_seq: count,
  count,
});
export type MailboxPage = Static<typeof mailboxPageSchema>;

/** POST /api/mailbox/:id/ack: removed up to and including `up_to`. */
export const mailboxAckedSchema = Type.Object({ status: statusOf('acked'), up_to: count, count });

export const retentionSettingsSchema = Type.Object({
  mailbox_ttl_ms: count,
  /** Messages kept per agent; the oldest go first. */
  mailbox_cap: count,
  /** Messages kept per channel; the oldest go first. */
  channel_history_cap: count,
});
export type RetentionSettings = Static<typeof retentionSettingsSchema>;
/** PUT /api/config/mailbox-retention: the settings now in force. */
export const retentionUpdatedSchema = Type.Object({ ...retentionSettingsSchema.properties, status: statusOf('updated') });

/** GET /api/channels. */
export const channelListSchema = Type.Object({ channels: Type.Array(channelViewSchema) });
/** POST /api/channels (201). */
export const channelCreatedSchema = Type.Object({ status: statusOf('created'), ...channelViewSchema.properties });
/** GET /api/channels/:ch: the channel, who created it, its subscribers and its last seq. */
export const channelDetailSchema = Type.Object({
  ...channelViewSchema.properties,
  created_by: Type.Union([Type.String(), Type.Null()]),
  subscribers: Type.Array(Type.String()),
  last_seq: count,
});
export type ChannelDetail = Static<typeof channelDetailSchema>;
/** POST /api/channels/:ch/subscribe and /unsubscribe. */
export const channelMembershipSchema = Type.Object({
  status: Type.Union([statusOf('subscribed'), statusOf('unsubscribed')]),
  channel: Type.String(),
  agent_id: Type.String(),
  note: Type.Optional(Type.Literal('already_subscribed')),
});
/** POST /api/channels/:ch/publish. */
export const channelPublishedBodySchema = Type.Object({
  status: statusOf('published'), channel: Type.String(), seq: count, id: Type.String(), duplicate: Type.Optional(Type.Literal(true)),
});
/** GET /api/channels/:ch/history: pass `last_seq` back as `since` for the next page. */
export const channelHistoryPageSchema = Type.Object({ channel: Type.String(), messages: Type.Array(messageViewSchema), count, last_seq: count });
/** GET /api/subscriptions/:agent_id. */
export const subscriptionsSchema = Type.Object({ agent_id: Type.String(), channels: Type.Array(Type.String()) });
