// What a new user's abuse tests found (issue 15), each reproduced against a real hub.
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { WsTestClient } from '../support/ws-client.ts';

const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('wire: abuse resistance', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub({ identify_timeout_ms: 300, max_connections_per_ip: 40, rate_limits: true });
  });

  const taskCount = async (): Promise<number> =>
    Object.values((await hub.http('GET', '/api/tasks/stats')).body.by_status as Record<string, number>).reduce((sum, n) => sum + n, 0);

  after(async () => {
    await hub.stop();
  });

  it('closes sockets that never identify after identify_timeout_ms with 4009, and keeps identified ones', async () => {
    const silent = await Promise.all([1, 2, 3].map(() => WsTestClient.connect(hub.wsUrl)));
    const agent = await hub.connectAgent('identifies-in-time');
    const closes = await Promise.all(silent.map((client) => client.closed));
    expect(closes).to.deep.equal(Array(3).fill({ code: 4009, reason: 'identify timeout' }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(agent.ws.isClosed).to.equal(false);
    expect((await agent.ws.request({ type: 'ping' }, 'pong')).type).to.equal('pong');
  });

  it('answers JSON nested 100k deep with 400 AC_ERR_JSON_TOO_DEEP over HTTP and an error frame over WS', async () => {
    const before = await taskCount();
    const deep = await hub.http('POST', '/api/tasks', { rawBody: `{"description":"x","metadata":${deepObject(100_000)}}` });
    expect(deep.status).to.equal(400);
    expect(deep.body).to.include({ error: 'json_too_deep', code: 'AC_ERR_JSON_TOO_DEEP', max_depth: 64 });
    const agent = await hub.connectAgent('deep-sender');
    agent.ws.sendRaw(`{"type":"message","payload":${deepObject(100_000)}}`);
    expect(await agent.ws.nextMessage('error')).to.include({ error: 'invalid_json', code: 'AC_ERR_JSON_TOO_DEEP' });
    // Real metadata nests a few levels and still goes through.
    const fine = await hub.http('POST', '/api/tasks', { rawBody: `{"description":"x","metadata":${deepObject(20)}}` });
    expect(fine.status).to.equal(201);
    expect(await taskCount()).to.equal(before + 1);
  });

  it('refuses lone surrogates and invalid UTF-8 with a field error and stores nothing', async () => {
    const before = await taskCount();
    const surrogate = await hub.http('POST', '/api/tasks', { rawBody: '{"description":"a\\ud800b"}' });
    expect(surrogate.status).to.equal(422);
    expect(surrogate.body.errors).to.deep.equal([{ field: 'description', error: 'invalid_unicode', detail: 'description contains a lone UTF-16 surrogate' }]);
    const badBytes = Buffer.concat([Buffer.from('{"description":"ok","metadata":{"note":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}}')]);
    const utf8 = await hub.http('POST', '/api/tasks', { rawBody: badBytes });
    expect(utf8.status).to.equal(422);
    expect(utf8.body.errors[0]).to.include({ field: 'metadata.note', error: 'invalid_unicode' });
    // A well-formed pair (an emoji) is fine.
    expect((await hub.http('POST', '/api/tasks', { rawBody: '{"description":"ship it \\ud83d\\ude80"}' })).status).to.equal(201);
    expect(await taskCount()).to.equal(before + 1);

    const agent = await hub.connectAgent('surrogate-sender');
    agent.ws.sendRaw('{"type":"status","status":"\\udc00"}');
    const frame = await agent.ws.nextMessage('error');
    expect(frame).to.include({ error: 'validation_failed', code: 'AC_ERR_VALIDATION' });
    expect(frame.errors).to.deep.equal([{ field: 'status', error: 'invalid_unicode', detail: 'status contains a lone UTF-16 surrogate' }]);
  });

  it('closes a flooding agent after it ignores retry_after, answering only a bounded share of its frames', async () => {
    const flooder = await hub.connectAgent('flooder');
    const bystander = await hub.connectAgent('bystander');
    for (let i = 0; i < 5000; i++) flooder.ws.send({ type: 'ping' });
    const closed = await flooder.ws.closed;
    expect(closed).to.deep.equal({ code: 1008, reason: 'rate limit exceeded' });
    const frames = flooder.ws.pending();
    // 120 light tokens, one denial, then ten more that came inside its retry_after.
    expect(frames.filter((frame) => frame.type === 'pong').length).to.equal(120);
    expect(frames.filter((frame) => frame.type === 'rate_limited').length).to.equal(11);
    expect((await bystander.ws.request({ type: 'ping' }, 'pong')).type).to.equal('pong');
  });

  it('answers identify attempts past the per-IP limit with rate_limited', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 65; i++) {
      // A new socket each time: a socket's first identify costs no bucket token, only the IP's attempt.
      const client = await WsTestClient.connect(hub.wsUrl);
      client.send({ type: 'identify', agent_id: 'nobody', token: 'wrong', protocol_version: 1 });
      const reply = await client.nextMessage();
      answers.push(`${reply.type}:${String(reply.code)}`);
      client.socket.terminate();
    }
    expect(answers[0]).to.equal('error:AC_ERR_UNAUTHORIZED');
    expect(answers.at(-1)).to.equal('rate_limited:AC_ERR_IDENTIFY_RATE');
  });

  it('lets a box of honest sidecars identify all at once: only refused identifies use up the per-IP attempts', async () => {
    const fleet = await startTestHub({ identify_attempts_per_ip_per_min: 5, max_connections_per_ip: 100 });
    try {
      const agents = await Promise.all(Array.from({ length: 30 }, (_, i) => fleet.connectAgent(`local-${i}`)));
      expect(agents.every((agent) => !agent.ws.isClosed)).to.equal(true);
      const answers: string[] = [];
      for (let i = 0; i < 7; i++) {
        const client = await WsTestClient.connect(fleet.wsUrl);
        client.send({ type: 'identify', agent_id: 'nobody', token: 'wrong', protocol_version: 1 });
        const reply = await client.nextMessage();
        answers.push(String(reply.code));
        client.socket.terminate();
      }
      expect(answers.slice(0, 5)).to.deep.equal(Array(5).fill('AC_ERR_UNAUTHORIZED'));
      expect(answers.slice(5)).to.deep.equal(Array(2).fill('AC_ERR_IDENTIFY_RATE'));
    } finally {
      await fleet.stop();
    }
  });
});

describe('wire: connections per IP', () => {
  it('refuses the upgrade with 429 past max_connections_per_ip, and accepts again once one closes', async () => {
    const hub = await startTestHub({ max_connections_per_ip: 5 });
    try {
      const open = await Promise.all([1, 2, 3, 4, 5].map(() => WsTestClient.connect(hub.wsUrl)));
      const refused = await WsTestClient.connect(hub.wsUrl).then(() => 'accepted', (error: Error) => error.message);
      expect(refused).to.equal('upgrade refused: 429');
      await open[0]!.close();
      const again = await WsTestClient.connect(hub.wsUrl);
      for (const client of [...open, again]) client.socket.terminate();
    } finally {
      await hub.stop();
    }
  });
});
