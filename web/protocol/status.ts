// status: the agent's free-text status; answered with status_updated.
import type { Static } from '@sinclair/typebox';
import { statusField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const statusSchema = wsMessage('status', { status: statusField });
export type StatusMessage = Static<typeof statusSchema>;
