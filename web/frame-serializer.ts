// Outbound agent frames to JSON text, through functions compiled from their schemas
// (web/protocol wsOutboundSchemas) by fast-json-stringify: they write the known keys
// in order without walking the object generically, which is where JSON.stringify
// spent sendFrame's time per task_assign and task_ack, and they send only what the
// schema declares. Frames without a schema (errors, messaging replies) keep JSON.stringify.
import fastJson from 'fast-json-stringify';
import { wsOutboundSchemas } from './protocol/index.ts';

type Serialize = (frame: object) => string;

const compiled = new Map<string, Serialize>(
  Object.entries(wsOutboundSchemas).map(([type, schema]) => [type, fastJson(schema) as Serialize]),
);

export function serializeFrame(frame: { type?: unknown }): string {
  const serialize = typeof frame.type === 'string' ? compiled.get(frame.type) : undefined;
  return serialize ? serialize(frame) : JSON.stringify(frame);
}
