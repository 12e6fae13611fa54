// HTTP bodies and query strings of the messaging endpoints (reference §4).
import { Type, type Static } from '@sinclair/typebox';
import { agentIdField, fieldLimits } from './field-limits.ts';
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
