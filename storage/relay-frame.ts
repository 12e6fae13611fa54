// What one hub tells the others about messaging, over the cluster's relay subject
// (jetstream/jetstream-messaging.ts): a frame for the agents subscribed to a topic there
// (a broadcast, a channel message, presence), news that an agent's mailbox grew, or that
// an agent joined or left a channel.
// It crosses a network from another process, so it is checked against this schema first.
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';

export const relayFrameSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('topic'),
    /** The hub that sent it. */
    hub: Type.String({ minLength: 1 }),
    /** The uWS topic the frame goes to on each hub: `broadcast`, `presence` or `channel:<name>`. */
    topic: Type.String({ minLength: 1, maxLength: 200 }),
    frame: Type.Object({ type: Type.String({ minLength: 1 }) }, { additionalProperties: true }),
  }),
  Type.Object({
    kind: Type.Literal('mail'),
    hub: Type.String({ minLength: 1 }),
    /** The recipient whose mailbox grew, and the seq it grew to. */
    to: Type.String({ minLength: 1 }),
    seq: Type.Integer({ minimum: 1 }),
  }),
  Type.Object({
    kind: Type.Literal('membership'),
    hub: Type.String({ minLength: 1 }),
    /** An agent joined or left a channel through another hub (over HTTP): its socket here joins or leaves the topic. */
    agent_id: Type.String({ minLength: 1 }),
    topic: Type.String({ minLength: 1, maxLength: 200 }),
    joined: Type.Boolean(),
  }),
]);

export type RelayFrame = Static<typeof relayFrameSchema>;

const check = new Ajv({ allErrors: false }).compile<RelayFrame>(relayFrameSchema);

/** The frame, or null (with why) when it does not match the schema. */
export function parseRelayFrame(data: unknown): { frame: RelayFrame } | { error: string } {
  if (check(data)) return { frame: data };
  const first = check.errors?.[0];
  return { error: first ? `${first.instancePath || '/'} ${first.message ?? 'invalid'}` : 'invalid relay frame' };
}
