// The dashboard feed subscribes to the hub's events only while a dashboard socket is open
// (with none, no event is turned into a frame). A dashboard that comes after the last one
// left, or after the hub ran without one, still gets every event from its connect on.
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient, type Frame } from '../support/ws-client.ts';

async function dashboardFeed(hub: TestHub) {
  const ws = await WsTestClient.connect(`${hub.wsUrl}/dashboard?token=${hub.adminToken}`);
  await ws.nextMessage('snapshot');
  const events: Frame[] = [];
  ws.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; data?: Frame[] };
    if (frame.type === 'events') events.push(...(frame.data ?? []));
  });
  return { ws, events };
}

const submittedIds = (events: Frame[]) => events
  .filter((event) => event.type === 'task_event' && event.event === 'submitted').map((event) => event.task_id);

describe('dashboard feed subscription', function () {
  this.timeout(30_000);
  let hub: TestHub;
  afterEach(async () => hub?.stop());

  it('feeds events to a dashboard that connects after none was open, and again after the last one closed', async () => {
    hub = await startTestHub();
    const before = await hub.http('POST', '/api/tasks', { body: { description: 'no dashboard yet' } });
    expect(before.status).to.equal(201);

    const first = await dashboardFeed(hub);
    const one = await hub.http('POST', '/api/tasks', { body: { description: 'first dashboard' } });
    await waitFor(() => submittedIds(first.events).includes(one.body.task_id));
    expect(submittedIds(first.events)).to.not.include(before.body.task_id);
    first.ws.close();
    await first.ws.closed;

    const between = await hub.http('POST', '/api/tasks', { body: { description: 'between dashboards' } });
    const second = await dashboardFeed(hub);
    const third = await dashboardFeed(hub);
    const two = await hub.http('POST', '/api/tasks', { body: { description: 'second dashboard' } });
    await waitFor(() => submittedIds(second.events).includes(two.body.task_id) && submittedIds(third.events).includes(two.body.task_id));
    expect(submittedIds(second.events)).to.not.include(between.body.task_id);
    second.ws.close();
    await second.ws.closed;
    // One of two closed: the other still gets events.
    const three = await hub.http('POST', '/api/tasks', { body: { description: 'one left' } });
    await waitFor(() => submittedIds(third.events).includes(three.body.task_id));
    third.ws.close();
  });
});
