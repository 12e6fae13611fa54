// Outbound frames and HTTP replies to JSON text, through functions compiled from their
// schemas (web/protocol wsOutboundSchemas, dashboardOutboundSchemas, dashboardEventSchemasByType,
// httpReplySchemas) by fast-json-stringify: they write the known keys in order without walking
// the object generically, which is where JSON.stringify spent sendFrame's time per task_assign
// and task_ack, and they send only what the schema declares. Every one is compiled, the
// dashboard snapshot and the schema catalogue too: where a schema leaves a value open
// (Type.Unknown: task metadata, the catalogue's schemas) the compiled function writes that
// value with JSON.stringify, so nothing of it is dropped.
//
// A compiled serializer coerces rather than refuses (a null where a string is declared
// becomes "") and drops fields its schema lacks, so the protocol tests watch every frame
// (watchOutboundFrames): each is checked against its schema before it is serialized, and its
// compiled text against what JSON.stringify would have sent; a frame of a type with no schema
// is reported too.
import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import fastJson from 'fast-json-stringify';
import type { TSchema } from '@sinclair/typebox';
import {
  dashboardEventSchemasByType, dashboardOutboundSchemas, wsOutboundSchemas, type AgentOutboundFrame, type DashboardOutboundFrame,
} from './protocol/index.ts';
import type { DashboardEvent } from './protocol/dashboard-events.ts';
import { httpReplySchemas, type HttpReplyName } from './protocol/http-replies.ts';

type Serialize = (value: unknown) => string;
/** Which registry a frame belongs to: the agent socket's frames, the dashboard's, an event inside `events`, or an HTTP reply body. */
export type FrameChannel = 'agent' | 'dashboard' | 'dashboard_event' | 'http';

const compile = (schemas: Readonly<Record<string, TSchema>>) =>
  new Map<string, Serialize>(Object.entries(schemas).map(([type, schema]) => [type, fastJson(schema) as Serialize]));

const agentSerializers = compile(wsOutboundSchemas);
const eventSerializers = compile(dashboardEventSchemasByType);
/** The dashboard's frames but `events`, which is written event by event (below). */
const dashboardSerializers = compile(Object.fromEntries(Object.entries(dashboardOutboundSchemas).filter(([type]) => type !== 'events')));
/** HTTP replies by schema name. */
const httpSerializers = compile(httpReplySchemas);
const registries: Record<FrameChannel, Readonly<Record<string, TSchema>>> = {
  agent: wsOutboundSchemas, dashboard: dashboardOutboundSchemas, dashboard_event: dashboardEventSchemasByType, http: httpReplySchemas,
};

/** A frame that did not match its schema, or whose type has none; `problem` null when it matched. */
export type FrameWatcher = (channel: FrameChannel, frame: unknown, problem: string | null) => void;
const watchers = new Set<FrameWatcher>();
let checkers: Map<string, ValidateFunction> | null = null;

/**
 * Checks every outbound frame against its schema before it is serialized and tells `onFrame`;
 * returns the function that stops it. For tests: the check costs an ajv run per frame.
 */
export function watchOutboundFrames(onFrame: FrameWatcher): () => void {
  if (!checkers) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    checkers = new Map();
    for (const [channel, schemas] of Object.entries(registries)) {
      for (const [type, schema] of Object.entries(schemas)) checkers.set(`${channel}:${type}`, ajv.compile(schema));
    }
  }
  watchers.add(onFrame);
  return () => void watchers.delete(onFrame);
}

function watch(channel: FrameChannel, frame: unknown, type: unknown): void {
  if (watchers.size === 0 || !checkers) return;
  const check = checkers.get(`${channel}:${String(type)}`);
  const problem = !check ? `no ${channel} schema for type ${JSON.stringify(type)}` : check(frame) ? null : new Ajv().errorsText(check.errors);
  for (const onFrame of watchers) onFrame(channel, frame, problem);
}

function serializeWith(serializers: Map<string, Serialize>, frame: { type?: unknown }, channel: FrameChannel): string {
  const serialize = typeof frame.type === 'string' ? serializers.get(frame.type) : undefined;
  // A type without a schema is a bug the watched tests catch; the frame still goes out as it is.
  return serialize ? compiled(serialize, frame, channel, frame.type) : JSON.stringify(frame);
}

/** Watched, the compiled text must say what JSON.stringify would: a field the schema lacks would be dropped. */
function compiled(serialize: Serialize, value: unknown, channel: FrameChannel, type: unknown): string {
  let text: string;
  try {
    text = serialize(value);
  } catch (error) {
    // A required field missing: sent as it is (as before schemas) rather than thrown into a hub flow; watched tests fail on it.
    for (const onFrame of watchers) onFrame(channel, value, `the ${String(type)} serializer refused the frame: ${String(error)}`);
    return JSON.stringify(value);
  }
  if (watchers.size > 0) {
    const plain = JSON.stringify(value);
    if (!isDeepStrictEqual(JSON.parse(text), JSON.parse(plain))) {
      const problem = `the ${String(type)} serializer changed the frame: sent ${text.slice(0, 300)}`;
      for (const onFrame of watchers) onFrame(channel, value, problem);
    }
  }
  return text;
}

/** An agent-socket frame: every send to an agent is typed as one (web/ports AgentSocketLink). */
export function serializeFrame(frame: AgentOutboundFrame): string {
  watch('agent', frame, frame.type);
  return serializeWith(agentSerializers, frame, 'agent');
}

/** A dashboard frame: each event of a batch through its own compiled serializer. */
export function serializeDashboardFrame(frame: DashboardOutboundFrame): string {
  if (frame.type === 'events') return `{"type":"events","data":[${frame.data.map(serializeDashboardEvent).join(',')}]}`;
  watch('dashboard', frame, frame.type);
  return serializeWith(dashboardSerializers, frame, 'dashboard');
}

function serializeDashboardEvent(event: DashboardEvent): string {
  watch('dashboard_event', event, event.type);
  return serializeWith(eventSerializers, event, 'dashboard_event');
}

/** An HTTP reply body that names its schema (web/http/reply.ts typedReply). */
export function serializeHttpReply(name: HttpReplyName, body: unknown): string {
  watch('http', body, name);
  const serialize = httpSerializers.get(name);
  return serialize ? compiled(serialize, body, 'http', name) : JSON.stringify(body);
}

const topicFrameChecks = new Map<string, ValidateFunction<AgentOutboundFrame>>();
const topicAjv = new Ajv({ strict: false });

/**
 * A frame for agents' topics, relayed by another hub over the network, as the agent frame its
 * schema says it is, or why it is not one: such a frame is refused, not sent to agents.
 */
export function checkAgentFrame(frame: { type: string }): { frame: AgentOutboundFrame } | { problem: string } {
  let check = topicFrameChecks.get(frame.type);
  if (!check) {
    const schema = wsOutboundSchemas[frame.type];
    if (!schema) return { problem: `no agent frame has type ${JSON.stringify(frame.type)}` };
    check = topicAjv.compile<AgentOutboundFrame>(schema);
    topicFrameChecks.set(frame.type, check);
  }
  return check(frame) ? { frame } : { problem: topicAjv.errorsText(check.errors) };
}
