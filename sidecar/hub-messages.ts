// Hub → sidecar messages the sidecar acts on, per the v1 wire protocol.
// Validated at the socket, before the task runner sees them. Other types are ignored.
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';

// Task ids become file names in results_dir, so anything that could climb out is refused.
const taskId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*$' });
const generation = Type.Integer({ minimum: 0 });

const taskAssignSchema = Type.Object({
  type: Type.Literal('task_assign'),
  task_id: taskId,
  description: Type.String({ maxLength: 10_000, default: '' }),
  metadata: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  generation: Type.Integer({ minimum: 0, default: 0 }),
  assigned_at: Type.Optional(Type.Number()),
});
export type TaskAssign = Static<typeof taskAssignSchema>;

const taskContinueSchema = Type.Object({
  type: Type.Literal('task_continue'),
  task_id: taskId,
  generation,
});
export type TaskContinue = Static<typeof taskContinueSchema>;

const taskReassignSchema = Type.Object({ type: Type.Literal('task_reassign'), task_id: taskId });
export type TaskReassign = Static<typeof taskReassignSchema>;

// The hub cancelled a task: stop its work and answer task_stopped.
const taskCancelledSchema = Type.Object({
  type: Type.Literal('task_cancelled'),
  task_id: taskId,
  generation: Type.Optional(generation),
});
export type TaskCancelled = Static<typeof taskCancelledSchema>;

const identifiedSchema = Type.Object({ type: Type.Literal('identified'), agent_id: Type.String() });

export type HubMessage =
  | TaskAssign
  | TaskContinue
  | TaskReassign
  | TaskCancelled
  | Static<typeof identifiedSchema>
  | { type: 'pong' | 'task_ack' | 'error'; [key: string]: unknown };

const ajv = new Ajv({ useDefaults: true, strict: false });
const validators: Record<string, ReturnType<typeof ajv.compile>> = {
  task_assign: ajv.compile(taskAssignSchema),
  task_continue: ajv.compile(taskContinueSchema),
  task_reassign: ajv.compile(taskReassignSchema),
  task_cancelled: ajv.compile(taskCancelledSchema),
  identified: ajv.compile(identifiedSchema),
};

export type ParsedHubMessage =
  | { kind: 'message'; message: HubMessage }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; type: string; detail: string };

/** Parses one text frame. Unknown types are 'ignored' so newer hubs can add messages. */
export function parseHubMessage(text: string): ParsedHubMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'invalid', type: '(unparsable)', detail: 'frame is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { type?: unknown }).type !== 'string') {
    return { kind: 'invalid', type: '(none)', detail: 'frame has no string type' };
  }
  const type = (raw as { type: string }).type;
  const validate = validators[type];
  if (validate) {
    if (!validate(raw)) {
      const first = validate.errors?.[0];
      return { kind: 'invalid', type, detail: `${first?.instancePath || '/'} ${first?.message ?? 'invalid'}` };
    }
    return { kind: 'message', message: raw as HubMessage };
  }
  if (type === 'pong' || type === 'task_ack' || type === 'error') {
    return { kind: 'message', message: raw as HubMessage };
  }
  return { kind: 'ignored', type };
}
