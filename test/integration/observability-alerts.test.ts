// The alerter end to end: a real hub with a short check interval, a dashboard socket,
// and the alert, metrics and settings endpoints.
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient, type Frame } from '../support/ws-client.ts';

const checkIntervalMs = 300;

/** Collects every event the dashboard socket receives. */
async function dashboard(hub: TestHub) {
  const ws = await WsTestClient.connect(`${hub.wsUrl}/dashboard?token=${hub.adminToken}`);
  const snapshot = await ws.nextMessage('snapshot');
  const events: Frame[] = [];
  ws.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; data?: Frame[] };
    if (frame.type === 'events') events.push(...(frame.data ?? []));
  });
  return { ws, snapshot, events };
}

describe('alerts', function () {
  this.timeout(30_000);
  let hub: TestHub;
  afterEach(async () => hub?.stop());

  it('no_agents_online reaches a dashboard and GET /api/alerts within a check interval; acknowledge; clear', async () => {
    hub = await startTestHub({ alert_first_check_ms: checkIntervalMs });
    expect((await hub.http('PUT', '/api/config/alert-thresholds', { body: { check_interval_ms: checkIntervalMs } })).status).to.equal(200);
    const feed = await dashboard(hub);
    const agent = await hub.connectAgent('a1');
    await new Promise((resolve) => setTimeout(resolve, checkIntervalMs * 2));
    expect((await hub.http('GET', '/api/alerts', { token: null })).body.alerts).to.deep.equal([]);

    agent.ws.socket.close();
    const droppedAt = Date.now();
    await waitFor(() => feed.events.some((event) => event.type === 'alert_fired' && event.rule_id === 'no_agents_online'), 5_000, 'alert_fired on the dashboard');
    // Within one check interval (plus the dashboard's 100 ms flush and slack for a loaded machine).
    expect(Date.now() - droppedAt).to.be.below(checkIntervalMs + 2_000);
    const fired = feed.events.find((event) => event.type === 'alert_fired')!;
    expect(fired).to.include({ rule_id: 'no_agents_online', severity: 'critical', acknowledged: false });
    const listed = await hub.http('GET', '/api/alerts', { token: null });
    expect(listed.body.alerts.map((alert: { rule_id: string }) => alert.rule_id)).to.deep.equal(['no_agents_online']);

    const acked = await feed.ws.request({ type: 'acknowledge_alert', rule_id: 'no_agents_online' }, 'alert_ack_result');
    expect(acked).to.include({ rule_id: 'no_agents_online', status: 'acknowledged' });
    await waitFor(() => feed.events.some((event) => event.type === 'alert_acknowledged'), 2_000, 'alert_acknowledged');
    const firedSoFar = feed.events.filter((event) => event.type === 'alert_fired').length;
    await new Promise((resolve) => setTimeout(resolve, checkIntervalMs * 3));
    // Critical alerts re-fire on every check, but not once acknowledged.
    expect(feed.events.filter((event) => event.type === 'alert_fired').length).to.equal(firedSoFar);
    expect((await hub.http('GET', '/api/alerts', { token: null })).body.alerts[0]).to.include({ acknowledged: true });

    await hub.connectAgent('a1', { token: agent.token });
    await waitFor(() => feed.events.some((event) => event.type === 'alert_cleared' && event.rule_id === 'no_agents_online'), 5_000, 'alert_cleared');
    expect((await hub.http('GET', '/api/alerts', { token: null })).body.alerts).to.deep.equal([]);
    const late = await hub.http('POST', '/api/alerts/no_agents_online/acknowledge');
    expect(late.status).to.equal(404);
    expect(late.body).to.include({ error: 'alert_not_found', code: 'AC_ERR_ALERT_NOT_FOUND' });
  });

  it('validates and persists alert thresholds, merged over the defaults', async () => {
    hub = await startTestHub();
    const defaults = await hub.http('GET', '/api/config/alert-thresholds');
    expect(defaults.body).to.include({ queue_growing_checks: 3, failure_rate_pct: 50, stuck_task_ms: 300_000, error_count_hour: 10, check_interval_ms: 30_000 });
    expect(defaults.body.cooldowns).to.include({ queue_growing: 300_000, high_failure_rate: 600_000, stuck_tasks: 0, no_agents_online: 0, high_error_rate: 300_000 });
    const bad = await hub.http('PUT', '/api/config/alert-thresholds', { body: { failure_rate_pct: 'lots' } });
    expect(bad.status).to.equal(422);
    expect((await hub.http('GET', '/api/config/alert-thresholds')).body.failure_rate_pct).to.equal(50);
    const set = await hub.http('PUT', '/api/config/alert-thresholds', { body: { failure_rate_pct: 25, cooldowns: { high_error_rate: 1000 } } });
    expect(set.body).to.include({ status: 'updated', effective: 'next_check_cycle' });
    const stored = await hub.http('GET', '/api/config/alert-thresholds');
    expect(stored.body).to.include({ failure_rate_pct: 25, queue_growing_checks: 3 });
    expect(stored.body.cooldowns).to.include({ high_error_rate: 1000, queue_growing: 300_000 });
  });

  it('stores the heartbeat interval (reference default 900000)', async () => {
    hub = await startTestHub();
    const agentToken = await hub.register('a1');
    expect((await hub.http('GET', `/api/config/heartbeat-interval?token=${agentToken}`, { token: null })).body).to.deep.equal({ heartbeat_interval_ms: 900_000 });
    expect((await hub.http('PUT', '/api/config/heartbeat-interval', { body: { heartbeat_interval_ms: 0 } })).status).to.equal(422);
    expect((await hub.http('PUT', '/api/config/heartbeat-interval', { token: agentToken, body: { heartbeat_interval_ms: 1000 } })).status).to.equal(403);
    const set = await hub.http('PUT', '/api/config/heartbeat-interval', { body: { heartbeat_interval_ms: 60_000 } });
    expect(set.body).to.deep.equal({ heartbeat_interval_ms: 60_000, status: 'updated' });
    expect((await hub.http('GET', '/api/config/heartbeat-interval')).body).to.deep.equal({ heartbeat_interval_ms: 60_000 });
  });

  it('serves /api/metrics in the reference shape from the recordings, and pushes metrics_snapshot to the dashboard', async () => {
    hub = await startTestHub();
    const agent = await hub.connectAgent('a1');
    await hub.http('POST', '/api/tasks', { body: { description: 'measure me' } });
    const assign = await agent.ws.nextMessage('task_assign');
    agent.ws.socket.send(JSON.stringify({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    agent.ws.socket.send(JSON.stringify({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: { ok: true } }));
    await agent.ws.nextMessage('task_ack');
    await agent.ws.nextMessage('task_ack');
    const feed = await dashboard(hub);
    const snapshot = await hub.running.observability.tick();
    hub.running.hub.dashboard.sampleMetrics(snapshot);
    const metrics = (await hub.http('GET', '/api/metrics', { token: null })).body;
    expect(metrics).to.have.keys('timestamp', 'window_ms', 'queue_depth', 'task_latency', 'agent_utilization', 'error_rates', 'dets_health');
    expect(metrics.window_ms).to.equal(3_600_000);
    expect(metrics.queue_depth).to.include({ current: 0 });
    expect(metrics.task_latency.window.count).to.equal(1);
    expect(metrics.task_latency.cumulative.count).to.equal(1);
    expect(metrics.error_rates.cumulative).to.deep.equal({ total_tasks: 1, failed: 0, dead_letter: 0, failure_rate_pct: 0 });
    expect(metrics.agent_utilization.system).to.include({ total_agents: 1, agents_online: 1 });
    expect(metrics.agent_utilization.per_agent[0]).to.include({ agent_id: 'a1', tasks_completed_1h: 1 });
    expect(metrics.dets_health.size_bytes).to.be.above(0);
    await waitFor(() => feed.events.some((event) => event.type === 'metrics_snapshot' && event.metrics !== null), 3_000, 'metrics_snapshot');
  });
});
