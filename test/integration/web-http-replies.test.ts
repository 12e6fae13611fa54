import { Ajv } from 'ajv';
import { expect } from 'chai';
import { watchOutboundFrames } from '../../web/frame-serializer.ts';
import { httpReplySchemas, type HttpReplyName } from '../../web/protocol/http-replies.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

describe('wire: typed HTTP replies', () => {
  let hub: TestHub;
  let unwatch = () => {};
  afterEach(async () => {
    unwatch();
    await hub?.stop();
  });

  it('sends each typed reply matching its schema, before and after serialization', async () => {
    const problems: string[] = [];
    const sent = new Set<string>();
    unwatch = watchOutboundFrames((channel, body, problem) => {
      if (channel !== 'http') return;
      if (problem) problems.push(`${JSON.stringify(body)?.slice(0, 300)}: ${problem}`);
    });
    hub = await startTestHub();
    await hub.connectAgent('replier');
    const ajv = new Ajv({ strict: false });
    const check = async (name: HttpReplyName, method: string, path: string, body?: unknown) => {
      const answer = await hub.http(method, path, body === undefined ? {} : { body });
      const validate = ajv.compile(httpReplySchemas[name]);
      expect(validate(answer.body), `${method} ${path}: ${ajv.errorsText(validate.errors)} ${JSON.stringify(answer.body)}`).to.equal(true);
      sent.add(name);
      return answer;
    };

    const submitted = await check('task_submitted', 'POST', '/api/tasks', { description: 'typed', idempotency_key: 'k-1' });
    expect(submitted.status).to.equal(201);
    expect((await check('task_submitted', 'POST', '/api/tasks', { description: 'typed', idempotency_key: 'k-1' })).body.created).to.equal(false);
    await check('task_bulk', 'POST', '/api/tasks/bulk', { tasks: [{ description: 'one', ref: 'a' }, { description: 'x'.repeat(20_000) }] });
    await check('task_page', 'GET', '/api/tasks?limit=5');
    await check('task_page', 'GET', '/api/tasks/dead-letter');
    await check('agent_list', 'GET', '/api/agents');
    await check('message_sent', 'POST', '/api/message', { to: 'replier', payload: { hi: 1 } });
    await check('mailbox_page', 'GET', '/api/mailbox/replier');
    await check('dashboard_state', 'GET', '/api/dashboard/state');
    expect((await check('error', 'GET', '/api/tasks/task-0000000000000000')).status).to.equal(404);
    await check('error', 'POST', '/api/tasks', { description: 7 });

    expect(problems).to.deep.equal([]);
    expect([...sent].sort()).to.deep.equal(Object.keys(httpReplySchemas).sort());
  });
});
