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

const ajv = new Ajv({ allErrors: false });
/** One validator per kind, so a refusal names the field that is wrong for the kind the frame claims. */
const checks = new Map(relayFrameSchema.anyOf.map((variant) => [variant.properties.kind.const as string, ajv.compile<RelayFrame>(variant)]));

/** The frame, or why it does not match its kind's schema. */
export function parseRelayFrame(data: unknown): { frame: RelayFrame } | { error: string } {
  const kind = typeof data === 'object' && data !== null ? (data as { kind?: unknown }).kind : undefined;
  const check = typeof kind === 'string' ? checks.get(kind) : undefined;
  if (!check) return { error: `/kind must be one of ${[...checks.keys()].join(', ')}` };
  if (check(data)) return { frame: data };
  const first = check.errors?.[0];
  return { error: first ? `${first.instancePath || '/'} ${first.message ?? 'invalid'}` : 'invalid relay frame' };
}
