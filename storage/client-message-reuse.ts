// A client_msg_id seen again from the same sender: a retry of the same send gets the first
// answer again; the id on another send is refused. Answering that with the first send's
// answer would tell the sender "sent" for a message that was never sent.
//
// Decided here once for both messaging engines (client-message-ids.ts on LMDB,
// jetstream/jetstream-messaging.ts), which remember with each id the send it was first used for.
import { fail, ok, type Failure, type Result } from './domain/errors.ts';
import type { Accepted } from './stored-message.ts';

/** A send by kind and target: a direct message to an agent, a broadcast, a publish to a (normalised) channel. */
export type ClientSend = `direct:${string}` | 'broadcast' | `channel:${string}`;

export const directSend = (to: string): ClientSend => `direct:${to}`;
export const broadcastSend: ClientSend = 'broadcast';
export const channelSend = (channel: string): ClientSend => `channel:${channel}`;

/**
 * The answer to `send` carrying a client id first used for `first`, answered `earlier` then.
 * An id remembered before hubs kept the send has no `first`: it counts as the same send, so an
 * older hub's data keeps working (such ids are pruned within a day).
 */
export function answerReuse(clientMsgId: string, first: ClientSend | undefined, send: ClientSend, earlier: Accepted): Result<Accepted> {
  return refuseReuse(clientMsgId, first, send) ?? ok({ ...earlier, duplicate: true });
}

/**
 * The refusal of `send` carrying a client id first used for `first`, or null when it is the same
 * send. Alone for an id claimed by a send still under way (JetStream): another send is refused at
 * once, the same send waits for the first answer.
 */
export function refuseReuse(clientMsgId: string, first: ClientSend | undefined, send: ClientSend): Failure | null {
  return first !== undefined && first !== send ? fail('AC_ERR_CLIENT_MSG_ID_CONFLICT', clientMsgId, first, send) : null;
}
