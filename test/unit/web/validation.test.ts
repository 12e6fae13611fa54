import { expect } from 'chai';
import { httpSchemas, knownWsTypes, wsMessageSchemas, type HttpSchemaName } from '../../../web/protocol/index.ts';
import { createWireValidator, type ValidationErrorItem } from '../../../web/validation.ts';

const validator = createWireValidator();

/** A valid instance of every agent-socket type, and its required fields with a wrong-typed value. */
const wsCases: Record<string, { valid: Record<string, unknown>; required: Record<string, unknown>; limited?: Record<string, number> }> = {
  identify: {
    valid: { type: 'identify', agent_id: 'a1', token: 't', name: 'n', status: 's', capabilities: ['x'] },
    required: { agent_id: 5, token: [] },
    limited: { agent_id: 128, token: 256, name: 256, status: 256 },
  },
  ping: { valid: { type: 'ping' }, required: {} },
  status: { valid: { type: 'status', status: 'busy' }, required: { status: 1 }, limited: { status: 256 } },
  list_agents: { valid: { type: 'list_agents' }, required: {} },
  task_accepted: { valid: { type: 'task_accepted', task_id: 'task-1' }, required: { task_id: 1 } },
  task_progress: { valid: { type: 'task_progress', task_id: 'task-1', progress: 5 }, required: { task_id: true } },
  task_complete: {
    valid: { type: 'task_complete', task_id: 'task-1', generation: 2, result: { ok: 1 }, tokens_used: 3 },
    required: { task_id: 1, generation: '2' },
  },
  task_failed: {
    valid: { type: 'task_failed', task_id: 'task-1', generation: 2, error: 'boom', reason: 'why' },
    required: { task_id: {}, generation: 1.5 },
    limited: { error: 2000, reason: 2000 },
  },
  task_recovering: { valid: { type: 'task_recovering', task_id: 'task-1', last_status: 'working' }, required: { task_id: 9 } },
  task_rejected: { valid: { type: 'task_rejected', task_id: 'task-1', reason: 'busy' }, required: { task_id: 9 }, limited: { reason: 2000 } },
  task_stopped: { valid: { type: 'task_stopped', task_id: 'task-1', generation: 2 }, required: { task_id: 9 }, limited: {} },
  message: { valid: { type: 'message', payload: { text: 'hi' }, to: 'b' }, required: { payload: 'text' } },
  list_channels: { valid: { type: 'list_channels' }, required: {} },
  channel_subscribe: { valid: { type: 'channel_subscribe', channel: 'ops' }, required: { channel: 1 }, limited: { channel: 64 } },
  channel_unsubscribe: { valid: { type: 'channel_unsubscribe', channel: 'ops' }, required: { channel: 1 }, limited: { channel: 64 } },
  channel_publish: { valid: { type: 'channel_publish', channel: 'ops', payload: {} }, required: { channel: 1, payload: [] } },
  channel_history: { valid: { type: 'channel_history', channel: 'ops', limit: 5 }, required: { channel: false } },
  resource_report: { valid: { type: 'resource_report', cpu: 0.5 }, required: {} },
  state_report: { valid: { type: 'state_report', state: 'idle' }, required: {} },
  wake_result: { valid: { type: 'wake_result', ok: true }, required: {} },
  agent_restarting: { valid: { type: 'agent_restarting' }, required: {} },
  approval_request: {
    valid: { type: 'approval_request', task_id: 'task-1', generation: 1, question_id: 'q-1', question: 'Deploy?', options: ['yes', 'no'] },
    required: { task_id: 1, question_id: 2, question: 3 },
  },
  lease_acquire: { valid: { type: 'lease_acquire', task_id: 'task-1', generation: 1, paths: ['src/**'], request_id: 'r1' }, required: { task_id: 9, paths: 'src' } },
  lease_release: { valid: { type: 'lease_release', lease_id: 'lease-1' }, required: { lease_id: 5 } },
  agent_rate_limited: { valid: { type: 'agent_rate_limited', task_id: 'task-1', until: 1_800_000_000_000, generation: 1 }, required: { task_id: 7, until: 'soon' }, limited: { reason: 2000 } },
};

const httpCases: Record<HttpSchemaName, { valid: Record<string, unknown>; required: Record<string, unknown>; limited?: Record<string, number> }> = {
  task_submit: {
    valid: { description: 'write docs', priority: 'urgent', metadata: {}, max_retries: 2, needed_capabilities: ['ts'] },
    required: { description: 42 },
    limited: { description: 10_000 },
  },
  task_patch: { valid: { priority: 'urgent' }, required: { priority: 'soon' } },
  task_list_query: { valid: { status: 'queued', priority: '2', limit: '10' }, required: {} },
  page_query: { valid: { limit: '10', cursor: '3' }, required: {} },
  onboard_register: { valid: { agent_id: 'agent-1' }, required: { agent_id: 7 }, limited: { agent_id: 128 } },
  default_repo: { valid: { url: 'https://example.com/r.git' }, required: { url: 1 } },
  push_task: { valid: { agent_id: 'a', description: 'd', metadata: {} }, required: { agent_id: 1, description: 2 }, limited: { agent_id: 128, description: 10_000 } },
  token_create: { valid: { agent_id: 'a' }, required: {} },
  log_level: { valid: { level: 'debug' }, required: { level: 3 } },
  message_send: { valid: { payload: { text: 'hi' }, to: 'b', type: 'chat', client_msg_id: 'c1' }, required: { payload: 'text' } },
  mailbox_ack: { valid: { seq: 3 }, required: { seq: '3' } },
  cursor_query: { valid: { since: '5', limit: '10' }, required: {} },
  channel_create: { valid: { name: '#Ops', description: 'd' }, required: { name: 5 }, limited: { name: 256 } },
  channel_member: { valid: { agent_id: 'a' }, required: {}, limited: { agent_id: 128 } },
  channel_post: { valid: { payload: {}, message_type: 'note' }, required: { payload: [] } },
  mailbox_retention: { valid: { mailbox_ttl_ms: 1000, mailbox_cap: 5 }, required: { mailbox_ttl_ms: 'soon' } },
  schedule_create: {
    valid: { cron: '0 2 * * *', timezone: 'Europe/Berlin', task: { description: 'nightly bump' }, catch_up: 'all' },
    required: { cron: 5, task: 'x' },
    limited: { cron: 128, timezone: 64 },
  },
  task_bulk: { valid: { tasks: [{ description: 'plan' }] }, required: { tasks: {} } },
  task_bulk_item: {
    valid: { description: 'review', ref: 'review', depends_on_refs: ['plan'], depends_on: ['task-1'], on_dependency_failure: 'ignore' },
    required: { description: 42 },
    limited: { description: 10_000, ref: 128 },
  },
  alert_thresholds: { valid: { failure_rate_pct: 40, cooldowns: { queue_growing: 0 } }, required: {} },
  heartbeat_interval: { valid: { heartbeat_interval_ms: 60000 }, required: { heartbeat_interval_ms: 'soon' } },
  restore_request: { valid: { backup: 'backup-2026-01-01T00-00-00-000Z' }, required: {}, limited: { backup: 200 } },
  rate_limit_override: { valid: { heavy: { capacity: 20, refill_rate_per_min: 20 } }, required: {} },
  whitelist_set: { valid: { agent_ids: ['a', 'b'] }, required: { agent_ids: 'a' } },
  whitelist_add: { valid: { agent_id: 'a' }, required: { agent_id: 3 }, limited: { agent_id: 128 } },
  enrollment_token_create: { valid: { ttl_ms: 3_600_000 }, required: { ttl_ms: 'an hour' } },
  task_approve: { valid: { note: 'looks fine' }, required: {} },
  task_reject: { valid: { reason: 'too risky' }, required: { reason: 4 }, limited: { reason: 2_000 } },
  approval_answer: { valid: { answer: 'yes' }, required: { answer: 5 }, limited: { answer: 10_000 } },
  approval_list_query: { valid: { status: 'pending', limit: '10' }, required: {} },
  daily_budgets_update: { valid: { fleet: 1_000_000, agents: { a1: 5000, a2: null } }, required: {} },
};

function only(errors: ValidationErrorItem[]): ValidationErrorItem {
  expect(errors).to.have.length(1, JSON.stringify(errors));
  return errors[0]!;
}

function without(message: Record<string, unknown>, field: string) {
  const copy = { ...message };
  delete copy[field];
  return copy;
}

describe('createWireValidator', () => {
  it('has a case in this table for every registered schema', () => {
    expect(Object.keys(wsCases).sort()).to.deep.equal(Object.keys(wsMessageSchemas).sort());
    expect(Object.keys(httpCases).sort()).to.deep.equal(Object.keys(httpSchemas).sort());
  });

  for (const [type, spec] of Object.entries(wsCases)) {
    describe(`agent frame ${type}`, () => {
      it('accepts a valid frame and unknown extra fields', () => {
        const frame = validator.agentFrame({ ...spec.valid, protocol_version: 1, surprise: { deep: true } });
        expect(frame.ok, JSON.stringify(frame)).to.equal(true);
      });

      for (const [field, wrong] of Object.entries(spec.required)) {
        it(`reports a missing ${field} as required`, () => {
          const frame = validator.agentFrame(without(spec.valid, field));
          expect(frame.ok).to.equal(false);
          if (frame.ok) return;
          expect(frame.messageType).to.equal(type);
          expect(only(frame.errors)).to.include({ field, error: 'required' });
        });

        it(`treats a null ${field} as absent`, () => {
          const frame = validator.agentFrame({ ...spec.valid, [field]: null });
          expect(!frame.ok && only(frame.errors)).to.include({ field, error: 'required' });
        });

        it(`reports a wrongly typed ${field} without coercion`, () => {
          const frame = validator.agentFrame({ ...spec.valid, [field]: wrong });
          expect(!frame.ok && only(frame.errors)).to.include({ field, error: 'wrong_type' });
        });
      }

      for (const [field, limit] of Object.entries(spec.limited ?? {})) {
        it(`reports ${field} over ${limit} characters as too_long with a 50-character preview`, () => {
          const long = 'x'.repeat(limit + 1);
          const frame = validator.agentFrame({ ...spec.valid, [field]: long });
          const error = !frame.ok && only(frame.errors);
          expect(error).to.deep.include({ field, error: 'too_long', value: `${'x'.repeat(50)}...` });
          expect(validator.agentFrame({ ...spec.valid, [field]: 'x'.repeat(limit) }).ok).to.equal(true);
        });
      }
    });
  }

  it('applies the reference limits to undeclared fields of the limited names', () => {
    const frame = validator.agentFrame({ type: 'ping', reason: 'r'.repeat(2001) });
    expect(!frame.ok && only(frame.errors)).to.include({ field: 'reason', error: 'too_long' });
    expect(validator.agentFrame({ type: 'ping', reason: 42 }).ok).to.equal(true);
  });

  it('names a bad list item field[i]', () => {
    const frame = validator.agentFrame({ type: 'identify', agent_id: 'a', token: 't', capabilities: ['ok', 3] });
    expect(!frame.ok && only(frame.errors)).to.include({ field: 'capabilities[1]', error: 'wrong_type' });
  });

  it('reports every bad field at once', () => {
    const frame = validator.agentFrame({ type: 'identify', agent_id: 1 });
    expect(!frame.ok && frame.errors.map((e) => `${e.field}:${e.error}`).sort()).to.deep.equal(['agent_id:wrong_type', 'token:required']);
  });

  it('reports an unknown type with the known types', () => {
    const frame = validator.agentFrame({ type: 'teleport' });
    expect(frame.ok).to.equal(false);
    if (frame.ok) return;
    expect(frame.messageType).to.equal('teleport');
    const error = only(frame.errors);
    expect(error).to.include({ field: 'type', error: 'unknown_message_type' });
    expect(error.known_types).to.deep.equal(knownWsTypes);
    expect(error.known_types).to.include.members(['identify', 'ping', 'task_complete', 'channel_history', 'task_rejected']);
  });

  it('reports a missing type, a non-string type and a non-object message', () => {
    const missing = validator.agentFrame({ agent_id: 'a' });
    expect(!missing.ok && only(missing.errors)).to.include({ field: 'type', error: 'required' });
    const nullType = validator.agentFrame({ type: null });
    expect(!nullType.ok && only(nullType.errors)).to.include({ field: 'type', error: 'required' });
    const numeric = validator.agentFrame({ type: 3 });
    expect(!numeric.ok && only(numeric.errors)).to.include({ field: 'type', error: 'wrong_type' });
    for (const raw of [[], 'ping', 7, null, true]) {
      const frame = validator.agentFrame(raw);
      expect(!frame.ok && only(frame.errors), JSON.stringify(raw)).to.include({ field: 'message', error: 'wrong_type' });
    }
  });

  it('hands back the frame without its null fields', () => {
    const frame = validator.agentFrame({ type: 'task_failed', task_id: 't', generation: 1, error: null, reason: 'r' });
    expect(frame.ok && frame.message).to.deep.equal({ type: 'task_failed', task_id: 't', generation: 1, reason: 'r' });
  });

  for (const [name, spec] of Object.entries(httpCases) as Array<[HttpSchemaName, (typeof httpCases)[HttpSchemaName]]>) {
    describe(`HTTP ${name}`, () => {
      it('accepts a valid body and unknown extra fields', () => {
        const checked = validator.httpInput(name, { ...spec.valid, extra: 1 });
        expect(checked.ok, JSON.stringify(checked)).to.equal(true);
      });

      for (const [field, wrong] of Object.entries(spec.required)) {
        it(`reports a missing or null ${field} as required and a wrong type as wrong_type`, () => {
          const missing = validator.httpInput(name, without(spec.valid, field));
          expect(!missing.ok && only(missing.errors)).to.include({ field, error: 'required' });
          const nulled = validator.httpInput(name, { ...spec.valid, [field]: null });
          expect(!nulled.ok && only(nulled.errors)).to.include({ field, error: 'required' });
          const typed = validator.httpInput(name, { ...spec.valid, [field]: wrong });
          expect(!typed.ok && only(typed.errors)).to.include({ field, error: 'wrong_type' });
        });
      }

      for (const [field, limit] of Object.entries(spec.limited ?? {})) {
        it(`reports ${field} over ${limit} characters as too_long`, () => {
          const checked = validator.httpInput(name, { ...spec.valid, [field]: 'y'.repeat(limit + 1) });
          expect(!checked.ok && only(checked.errors)).to.deep.include({ field, error: 'too_long', value: `${'y'.repeat(50)}...` });
        });
      }

      it('refuses a body that is not an object', () => {
        for (const raw of [[1], 'text', 3, null]) {
          const checked = validator.httpInput(name, raw);
          expect(!checked.ok && only(checked.errors)).to.include({ field: 'body', error: 'wrong_type' });
        }
      });
    });
  }

  it('reports an unknown priority name once, not once per union branch', () => {
    const checked = validator.httpInput('task_submit', { description: 'd', priority: 'someday' });
    expect(!checked.ok && only(checked.errors)).to.include({ field: 'priority', error: 'wrong_type' });
  });

  it('accepts priority as a lane name, the critical alias or an integer', () => {
    for (const priority of ['urgent', 'high', 'normal', 'low', 'critical', 0, 3]) {
      expect(validator.httpInput('task_submit', { description: 'd', priority }).ok, String(priority)).to.equal(true);
    }
    expect(validator.httpInput('task_submit', { description: 'd', priority: 4 }).ok).to.equal(false);
  });

  it('reports an empty required string as required', () => {
    const checked = validator.httpInput('onboard_register', { agent_id: '' });
    expect(!checked.ok && only(checked.errors)).to.include({ field: 'agent_id', error: 'required' });
  });

  it('validates dashboard frames against their own registry', () => {
    expect(validator.dashboardFrame({ type: 'retry_task', task_id: 't' }).ok).to.equal(true);
    const missing = validator.dashboardFrame({ type: 'retry_task' });
    expect(!missing.ok && only(missing.errors)).to.include({ field: 'task_id', error: 'required' });
    const unknown = validator.dashboardFrame({ type: 'ping' });
    expect(!unknown.ok && only(unknown.errors)).to.include({ error: 'unknown_message_type' });
  });
});
