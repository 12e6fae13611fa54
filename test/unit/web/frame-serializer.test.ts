import { Ajv } from 'ajv';
import { expect } from 'chai';
import { checkAgentFrame, serializeFrame } from '../../../web/frame-serializer.ts';
import { wsOutboundSchemas, type AgentOutboundFrame } from '../../../web/protocol/index.ts';

// Every shape each refusal is sent in (web/agent-socket.ts, web/agent-messaging.ts).
const refusals: AgentOutboundFrame[] = [
  { type: 'error', error: 'validation_failed', code: 'AC_ERR_VALIDATION', message_type: 'ping', errors: [{ field: 'type', error: 'unknown_message_type', detail: 'unknown message type x', known_types: ['ping'] }] },
  { type: 'error', error: 'validation_failed', code: 'AC_ERR_VALIDATION', message_type: null, errors: [{ field: 'description', error: 'too_long', detail: 'too long', value: 'xxx...' }] },
  { type: 'error', error: 'invalid_json', code: 'AC_ERR_JSON_TOO_DEEP', max_depth: 64 },
  { type: 'error', error: 'busy', code: 'AC_ERR_SOCKET_BUSY', inflight: 1024 },
  { type: 'error', error: 'task_complete_failed: stale_generation', code: 'AC_ERR_STALE_GENERATION', task_id: 'task-1', detail: 'generation 2, not 1' },
  { type: 'error', error: 'not_found', code: 'AC_ERR_CHANNEL_NOT_FOUND', message_type: 'channel_publish', detail: 'no channel', channel: 'ops' },
  { type: 'error', error: 'not_identified', code: 'AC_ERR_NOT_IDENTIFIED' },
  { type: 'rate_limited', retry_after_ms: 1200, tier: 'normal', code: 'AC_ERR_RATE_LIMITED' },
  { type: 'rate_limited', retry_after_ms: 500, tier: 'heavy', code: 'AC_ERR_IDENTIFY_RATE', scope: 'ip' },
  { type: 'rate_limit_warning', tier: 'light', remaining: 3, capacity: 20 },
];

describe('outbound frames serialized from their schemas', () => {
  it('sends every field of each refusal shape, and each matches its schema', () => {
    const ajv = new Ajv({ strict: false });
    for (const frame of refusals) {
      const text = serializeFrame(frame);
      expect(JSON.parse(text), text).to.deep.equal(frame);
      const validate = ajv.compile(wsOutboundSchemas[frame.type]!);
      expect(validate(frame), `${text}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    }
  });

  it('passes a frame relayed by another hub to agents only when it is a whole agent frame', () => {
    const message = { type: 'channel_message', channel: 'ops', id: 'm1', seq: 3, from: 'a', message_type: 'chat', payload: {}, reply_to: null, timestamp: 1 };
    expect(checkAgentFrame(message)).to.deep.equal({ frame: message });
    expect(checkAgentFrame({ type: 'no_such_frame' })).to.deep.equal({ problem: 'no agent frame has type "no_such_frame"' });
    const { seq: _seq, ...withoutSeq } = message;
    expect(checkAgentFrame(withoutSeq)).to.have.property('problem').that.matches(/seq/);
  });
});
