// Messaging frames of the reference (§2). Their behaviour arrives with the messaging
// issue; until then they are recognised (so never violations) and answered not_implemented.
import { Type } from '@sinclair/typebox';
import { channelField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const messageSchema = wsMessage('message', { payload: Type.Record(Type.String(), Type.Unknown()) });
export const listChannelsSchema = wsMessage('list_channels', {});
export const channelSubscribeSchema = wsMessage('channel_subscribe', { channel: channelField });
export const channelUnsubscribeSchema = wsMessage('channel_unsubscribe', { channel: channelField });
export const channelPublishSchema = wsMessage('channel_publish', {
  channel: channelField,
  payload: Type.Record(Type.String(), Type.Unknown()),
});
export const channelHistorySchema = wsMessage('channel_history', {
  channel: channelField,
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  since: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const messagingSchemas = [
  messageSchema, listChannelsSchema, channelSubscribeSchema,
  channelUnsubscribeSchema, channelPublishSchema, channelHistorySchema,
];
