// A message as the mailbox and channel history keep it, and its id.
import { randomHex } from './random-hex.ts';

export interface StoredMessage {
  /** Mailbox: global and increasing; channel history: per channel, dense from 1. */
  seq: number;
  /** 16 hex characters, as in the reference. */
  id: string;
  from: string;
  /** The recipient's agent id; null for a channel message. */
  to: string | null;
  channel: string | null;
  message_type: string;
  payload: Record<string, unknown>;
  reply_to: string | null;
  timestamp: number;
}

/** What a sender writes; the store adds seq, id and timestamp. */
export interface NewMessage {
  from: string;
  message_type: string;
  payload: Record<string, unknown>;
  reply_to: string | null;
}

/** The answer a sender got; a retry with the same client_msg_id gets it again. */
export interface Accepted {
  id: string;
  /** Null for a broadcast, which is not stored. */
  seq: number | null;
  timestamp: number;
  duplicate: boolean;
}

export const newMessageId = (): string => randomHex(8);
