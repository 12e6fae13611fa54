import { Ajv } from 'ajv';
import { expect } from 'chai';
import { watchOutboundFrames } from '../../web/frame-serializer.ts';
import { httpReplySchemas, type HttpReplyName } from '../../web/protocol/http-replies.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { startTestHub, type HttpOptions, type TestHub } from '../support/hub-harness.ts';

/**
 * Replies this walk does not provoke, each sent (and checked by the suite-wide hook,
 * test/support/outbound-frame-check.ts) by the test named: they need an alert to fire, a
 * breaker to open, a dead letter, or restart the hub's storage.
 */
const sentElsewhere: Partial<Record<HttpReplyName, string>> = {
  alert_acknowledged: 'test/integration/observability-alerts.test.ts',
  restore_started: 'test/integration/storage-restore.test.ts',
  agent_unblocked: 'test/integration/web-outbound-dashboard-frames.test.ts',
  task_requeued: 'test/integration/web-lifecycle.test.ts',
};

describe('wire: typed HTTP replies', () => {
  let hub: TestHub;
  let backups: ReturnType<typeof makeTempDir> | undefined;
  let unwatch = () => {};
  afterEach(async () => {
    unwatch();
    await hub?.stop();
    backups?.remove();
  });

  it('answers every route with a body matching its reply schema, before and after serialization', async function () {
    this.timeout(60_000);
    const problems: string[] = [];
    const sent = new Set<string>();
    unwatch = watchOutboundFrames((channel, body, problem) => {
      if (channel !== 'http') return;
      if (problem) problems.push(`${JSON.stringify(body)?.slice(0, 300)}: ${problem}`);
    });
    backups = makeTempDir('replies-backups');
    hub = await startTestHub({
      backup_dir: backups.path, backup_schedule: 'off', compaction_schedule: 'off', daily_token_budgets: { agent_default: 1_000_000 },
    });
    const replier = await hub.connectAgent('replier');
    const ajv = new Ajv({ strict: false });
    const check = async (name: HttpReplyName, method: string, path: string, body?: unknown, options: HttpOptions = {}) => {
      const answer = await hub.http(method, path, { ...options, ...(body === undefined ? {} : { body }) });
      const validate = ajv.compile(httpReplySchemas[name]);
      expect(validate(answer.body), `${method} ${path} → ${name}: ${ajv.errorsText(validate.errors)} ${JSON.stringify(answer.body)}`).to.equal(true);
      sent.add(name);
      return answer;
    };

    // Tasks. The push goes first, while the agent is idle; the rest need a capability nobody has, so they stay queued.
    const pushed = await check('task_pushed', 'POST', '/api/admin/push-task', { agent_id: 'replier', description: 'pushed' });
    const submitted = await check('task_submitted', 'POST', '/api/tasks', { description: 'typed', idempotency_key: 'k-1', needed_capabilities: ['gpu'] });
    expect(submitted.status).to.equal(201);
    expect((await check('task_submitted', 'POST', '/api/tasks', { description: 'typed', idempotency_key: 'k-1' })).body.created).to.equal(false);
    const taskId = submitted.body.task_id as string;
    await check('task_bulk', 'POST', '/api/tasks/bulk', { tasks: [{ description: 'one', ref: 'a', needed_capabilities: ['gpu'] }, { description: 'x'.repeat(20_000) }] });
    await check('task_page', 'GET', '/api/tasks?limit=5');
    await check('task_page', 'GET', '/api/tasks/dead-letter');
    await check('task_stats', 'GET', '/api/tasks/stats');
    await check('task_detail', 'GET', `/api/tasks/${taskId}`);
    await check('task_detail', 'GET', `/api/tasks/${pushed.body.task_id as string}`);
    await check('task_reprioritised', 'PATCH', `/api/tasks/${taskId}`, { priority: 'high' });
    await check('task_cancelled', 'POST', `/api/tasks/${taskId}/cancel`);
    await check('error', 'POST', `/api/tasks/${taskId}/retry`);
    await check('dead_letters_purged', 'DELETE', '/api/tasks/dead-letter');
    expect((await check('error', 'GET', '/api/tasks/task-0000000000000000')).status).to.equal(404);
    await check('error', 'POST', '/api/tasks', { description: 7 });

    // Agents and fleet control.
    await check('agent_list', 'GET', '/api/agents');
    await check('agent_states', 'GET', '/api/agents/states');
    await check('agent_state', 'GET', '/api/agents/replier/state');
    await check('error', 'POST', '/api/agents/replier/unblock');
    await check('daily_budgets', 'GET', '/api/budgets');
    await check('daily_budgets', 'PUT', '/api/budgets', { fleet: 5_000_000, agents: { replier: 10_000 } });
    await check('provider_list', 'GET', '/api/providers');

    // Approvals: a gated task approved, another rejected, and the agent's question answered.
    const gated = await hub.http('POST', '/api/tasks', { body: { description: 'gated', requires_approval: true, needed_capabilities: ['gpu'] } });
    const gated2 = await hub.http('POST', '/api/tasks', { body: { description: 'gated 2', requires_approval: true, needed_capabilities: ['gpu'] } });
    await check('approval_list', 'GET', '/api/approvals');
    await check('approval_decided', 'POST', `/api/tasks/${gated.body.task_id as string}/approve`, { note: 'fine' });
    await check('approval_decided', 'POST', `/api/tasks/${gated2.body.task_id as string}/reject`, { reason: 'no' });
    const asked = await replier.ws.request(
      { type: 'approval_request', task_id: pushed.body.task_id, question_id: 'q-1', question: 'go on?' }, 'approval_ack',
    );
    await check('approval', 'GET', `/api/approvals/${asked.approval_id as string}`);
    await check('approval', 'POST', `/api/approvals/${asked.approval_id as string}`, { answer: 'yes' });
    await check('error', 'GET', '/api/approvals/nope');

    // Messages and channels.
    await check('message_sent', 'POST', '/api/message', { to: 'replier', payload: { hi: 1 } });
    const mailbox = await check('mailbox_page', 'GET', '/api/mailbox/replier');
    await check('mailbox_acked', 'POST', '/api/mailbox/replier/ack', { seq: mailbox.body.last_seq });
    await check('mailbox_retention', 'GET', '/api/config/mailbox-retention');
    await check('mailbox_retention_updated', 'PUT', '/api/config/mailbox-retention', { mailbox_ttl_ms: 86_400_000, mailbox_cap: 500 });
    await check('error', 'GET', '/api/mailbox/replier', undefined, { token: (await hub.register('other')) });
    await check('channel_created', 'POST', '/api/channels', { name: 'typed', description: 'a channel' });
    await check('channel_list', 'GET', '/api/channels');
    await check('channel_membership', 'POST', '/api/channels/typed/subscribe', { agent_id: 'replier' });
    await check('channel_published', 'POST', '/api/channels/typed/publish', { payload: { n: 1 } });
    await check('channel', 'GET', '/api/channels/typed');
    await check('channel_history', 'GET', '/api/channels/typed/history');
    await check('subscriptions', 'GET', '/api/subscriptions/replier');
    await check('channel_membership', 'POST', '/api/channels/typed/unsubscribe', { agent_id: 'replier' });
    await check('error', 'GET', '/api/channels/missing');

    // Access and configuration.
    await check('agent_registered', 'POST', '/api/onboard/register', { agent_id: 'newcomer' });
    await check('token_created', 'POST', '/admin/tokens', { agent_id: 'newcomer', name: 'second' });
    await check('token_list', 'GET', '/api/admin/tokens');
    await check('tokens_revoked', 'DELETE', '/admin/tokens/newcomer');
    await check('enrollment_token', 'POST', '/api/admin/enrollment-tokens', { ttl_ms: 60_000 });
    await check('error', 'GET', '/api/admin/tokens', undefined, { token: null });
    await check('error', 'GET', '/api/admin/tokens', undefined, { token: replier.token });
    await check('default_repo', 'GET', '/api/config/default-repo');
    await check('default_repo_set', 'PUT', '/api/config/default-repo', { url: 'https://example.com/repo.git' });
    await check('log_level_set', 'PUT', '/api/admin/log-level', { level: 'error' });
    await check('error', 'PUT', '/api/admin/log-level', { level: 'loud' });
    await check('heartbeat_interval', 'GET', '/api/config/heartbeat-interval');
    await check('heartbeat_interval', 'PUT', '/api/config/heartbeat-interval', { heartbeat_interval_ms: 20_000 });

    // Health, metrics, alerts.
    await check('health', 'GET', '/health');
    await check('dashboard_state', 'GET', '/api/dashboard/state');
    await check('metrics', 'GET', '/api/metrics');
    await check('alert_list', 'GET', '/api/alerts');
    await check('error', 'POST', '/api/alerts/queue_growing/acknowledge');
    await check('alert_thresholds', 'GET', '/api/config/alert-thresholds');
    await check('alert_thresholds_updated', 'PUT', '/api/config/alert-thresholds', { failure_rate_pct: 40, cooldowns: { stuck_tasks: 1000 } });
    await check('schema_catalogue', 'GET', '/api/schemas');
    await check('error', 'GET', '/api/nothing-here');

    // Rate limits.
    await check('rate_limits', 'GET', '/api/admin/rate-limits');
    await check('whitelist', 'GET', '/api/admin/rate-limits/whitelist');
    await check('whitelist_changed', 'PUT', '/api/admin/rate-limits/whitelist', { agent_ids: ['a'] });
    await check('whitelist_changed', 'POST', '/api/admin/rate-limits/whitelist', { agent_id: 'b' });
    await check('whitelist_changed', 'DELETE', '/api/admin/rate-limits/whitelist/a');
    await check('rate_limit_override_changed', 'PUT', '/api/admin/rate-limits/replier', { light: { capacity: 5, refill_rate_per_min: 5 } });
    await check('rate_limits', 'GET', '/api/admin/rate-limits');
    await check('rate_limit_override_changed', 'DELETE', '/api/admin/rate-limits/replier');
    await check('error', 'PUT', '/api/admin/rate-limits/replier', {});

    // Schedules.
    const schedule = await check('schedule', 'POST', '/api/schedules', { cron: '0 3 * * *', task: { description: 'nightly' }, name: 'nightly' });
    const scheduleId = schedule.body.id as string;
    await check('schedule_list', 'GET', '/api/schedules');
    await check('schedule', 'GET', `/api/schedules/${scheduleId}`);
    await check('schedule', 'POST', `/api/schedules/${scheduleId}/pause`);
    await check('schedule', 'POST', `/api/schedules/${scheduleId}/resume`);
    await check('schedule_deleted', 'DELETE', `/api/schedules/${scheduleId}`);
    await check('error', 'GET', `/api/schedules/${scheduleId}`);

    // Storage.
    await check('backup_taken', 'POST', '/api/admin/backup');
    await check('backup_list', 'GET', '/api/admin/backups');
    await check('compaction', 'POST', '/api/admin/compact');
    await check('table_compaction', 'POST', '/api/admin/compact/tasks');
    await check('storage_health', 'GET', '/api/admin/storage-health');
    await check('storage_health', 'GET', '/api/admin/dets-health');
    await check('dashboard_state', 'GET', '/api/dashboard/state');

    expect(problems).to.deep.equal([]);
    const expected = Object.keys(httpReplySchemas).filter((name) => !(name in sentElsewhere)).sort();
    expect([...sent].sort()).to.deep.equal(expected);
  });
});
