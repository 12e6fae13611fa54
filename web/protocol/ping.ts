// ping: the heartbeat; answered with pong {timestamp}.
import type { Static } from '@sinclair/typebox';
import { wsMessage } from './ws-message.ts';

export const pingSchema = wsMessage('ping', {});
export type Ping = Static<typeof pingSchema>;
