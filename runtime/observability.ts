// The hub's observability, behind web/observability-port.ts: the OpenTelemetry
// recorder, the /api/metrics snapshot (a 10 s tick over the same recordings), the
// alerter's facts and its alerts, and the alert and heartbeat settings in LMDB.
import { statfsSync } from 'node:fs';
import type { AnyActorRef } from 'xstate';
import { stateOf } from '../actors/agent-registry.ts';
import type { AlertChange } from '../machines/alert-evaluation.ts';
import { mergeThresholds, type AlertFacts } from '../machines/alert-rules.ts';
import type { AlertCheck, AlerterContext } from '../machines/alerter-machine.ts';
import type { SettingsStore } from '../storage/settings-store.ts';
import type { AlertView, ObservabilityPort } from '../web/observability-port.ts';
import { noWebTelemetry, type WebTelemetry } from '../web/web-telemetry.ts';
import type { AlertThresholds } from '../storage/domain/alert-thresholds.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import type { Hub } from './hub/hub.ts';
import type { MetricsRecorder } from './metrics-recorder.ts';
import { readMetrics } from './metrics-reading.ts';
import type { MetricsSnapshot } from './metrics-snapshot.ts';
import type { MetricsReply } from '../web/protocol/metrics-snapshot.ts';
import type { AlertThresholdsBody } from '../web/protocol/observability-bodies.ts';
import { MetricsWindow, type AgentNow } from './metrics-window.ts';
import type { Telemetry } from './telemetry.ts';

const thresholdsKey = 'alert_thresholds';
const heartbeatKey = 'heartbeat_interval_ms';
const defaultHeartbeatIntervalMs = 900_000;
const defaultApprovalAlertAfterMs = 900_000;
const overdueScanLimit = 500;

export interface ObservabilityDeps {
  telemetry: Telemetry;
  recorder: MetricsRecorder;
  /** The hub and settings of the running tree; read each time, as a restart replaces them. */
  hub: () => Hub | undefined;
  settings: () => SettingsStore | undefined;
  alerter: () => AnyActorRef | undefined;
  dataDir: string;
  metricsPublic: boolean;
  /** false: the transport records nothing (the bench's metrics-off run). */
  recording: boolean;
  /** Config approval_alert_after_ms: a question or gated task waiting longer raises approval_waiting. */
  approvalAlertAfterMs?: number;
  now?: () => number;
}

export class Observability implements ObservabilityPort {
  readonly telemetry: WebTelemetry;
  readonly metricsPublic: boolean;
  private readonly window = new MetricsWindow();
  private readonly now: () => number;
  private latestSnapshot: MetricsSnapshot | null = null;

  constructor(private readonly deps: ObservabilityDeps) {
    this.telemetry = deps.recording ? deps.recorder : noWebTelemetry;
    this.metricsPublic = deps.metricsPublic;
    this.now = deps.now ?? Date.now;
  }

  /** For the rate limiter (issue 15): counts one denial in agentcom_rate_limit_denials_total{tier}. */
  rateLimitDenied(tier: string): void {
    if (this.deps.recording) this.deps.recorder.rateLimitDenied(tier);
  }

  prometheusText(): Promise<string> {
    return this.deps.telemetry.prometheusText();
  }

  /** The 10 s tick: one collection into the window, and a fresh snapshot. */
  async tick(): Promise<MetricsSnapshot | null> {
    const reading = readMetrics(await this.deps.telemetry.collect(), this.now());
    this.deps.recorder.resetLoopDelay();
    this.window.push(reading);
    this.latestSnapshot = this.window.snapshot(this.agentsNow());
    return this.latestSnapshot;
  }

  metricsSnapshot(): MetricsReply {
    return this.latestSnapshot ?? this.window.snapshot(this.agentsNow()) ?? { timestamp: this.now(), window_ms: 3_600_000 };
  }

  /** What one alerter check looks at: a fresh collection against the window's baseline. */
  async gatherCheck(): Promise<AlertCheck> {
    const now = this.now();
    const thresholds = this.alertThresholds();
    const reading = readMetrics(await this.deps.telemetry.collect(), now);
    const baseline = this.window.oldest();
    const windowFailed = reading.failed - (baseline?.failed ?? 0);
    const windowTotal = reading.completed - (baseline?.completed ?? 0) + windowFailed;
    const byState = reading.agentsByState;
    const totalAgents = Object.values(byState).reduce((sum, n) => sum + n, 0);
    const stuckBefore = now - thresholds.stuck_task_ms;
    const assigned = this.deps.hub()?.tasks.listTasks({ status: 'assigned' }).tasks ?? [];
    const facts: AlertFacts = {
      queueDepth: reading.queued,
      windowTotalTasks: windowTotal,
      windowFailed,
      failureRatePct: windowTotal === 0 ? 0 : Math.round((windowFailed / windowTotal) * 1000) / 10,
      stuckTaskIds: assigned.filter((task) => task.updated_at < stuckBefore).map((task) => task.id),
      totalAgents,
      agentsOnline: totalAgents - (byState.offline ?? 0),
      storageProblems: this.storageProblems(reading.storageSizeBytes, reading.lastBackupAgeSeconds, thresholds),
      supervisorRestarts: reading.supervisorRestarts,
      overdueApprovals: this.overdueApprovals(now),
      ...this.deps.hub()?.fleetControl.alertFacts(),
    };
    return { facts, thresholds, now };
  }

  /** The alerter's decisions, as hub events. */
  announce(changes: AlertChange[]): void {
    const hub = this.deps.hub();
    if (!hub) return;
    const at = this.now();
    for (const change of changes) {
      if (change.kind === 'fired') hub.events.emit('alert.fired', at, { alert: change.alert });
      else if (change.kind === 'cleared') hub.events.emit('alert.cleared', at, { ruleId: change.ruleId });
      else hub.events.emit('alert.acknowledged', at, { ruleId: change.ruleId });
    }
  }

  activeAlerts(): AlertView[] {
    const context = this.deps.alerter()?.getSnapshot().context as AlerterContext | undefined;
    return Object.values(context?.alerts.active ?? {});
  }

  async acknowledgeAlert(ruleId: string): Promise<Result<AlertView>> {
    const alerter = this.deps.alerter();
    const active = this.activeAlerts().find((alert) => alert.rule_id === ruleId);
    if (!alerter || !active) return fail('AC_ERR_ALERT_NOT_FOUND', ruleId);
    alerter.send({ type: 'alerter.acknowledge', ruleId });
    return ok({ ...active, acknowledged: true });
  }

  alertThresholds(): AlertThresholds {
    return mergeThresholds(this.deps.settings()?.get(thresholdsKey));
  }

  async setAlertThresholds(changes: AlertThresholdsBody): Promise<Result<AlertThresholds>> {
    const settings = this.deps.settings();
    if (!settings) return fail('AC_ERR_QUEUE_CLOSED');
    const current = this.alertThresholds();
    // Only known keys are kept: the schema let unknown ones through, and they mean nothing here.
    const known = Object.fromEntries(Object.entries(changes).filter(([key]) => key in current && key !== 'cooldowns'));
    const next = mergeThresholds({ ...current, ...known, cooldowns: { ...current.cooldowns, ...changes.cooldowns } });
    await settings.set(thresholdsKey, next);
    return ok(next);
  }

  heartbeatIntervalMs(): number {
    return this.deps.settings()?.get<number>(heartbeatKey) ?? defaultHeartbeatIntervalMs;
  }

  async setHeartbeatIntervalMs(ms: number): Promise<Result<number>> {
    const settings = this.deps.settings();
    if (!settings) return fail('AC_ERR_QUEUE_CLOSED');
    await settings.set(heartbeatKey, ms);
    return ok(ms);
  }

  /** Unanswered questions and gated tasks older than approval_alert_after_ms (the first 500 of each, oldest first). */
  private overdueApprovals(now: number): AlertFacts['overdueApprovals'] {
    const afterMs = this.deps.approvalAlertAfterMs ?? defaultApprovalAlertAfterMs;
    const hub = this.deps.hub();
    const before = now - afterMs;
    const questions = (hub?.approvals.listApprovals('pending', overdueScanLimit).approvals ?? []).filter((approval) => approval.asked_at <= before);
    const tasks = (hub?.tasks.listTasks({ status: 'awaiting_approval', limit: overdueScanLimit }).tasks ?? []).filter((task) => task.created_at <= before);
    const oldest = Math.min(...questions.map((approval) => approval.asked_at), ...tasks.map((task) => task.created_at), now);
    return { questionIds: questions.map((approval) => approval.id), taskIds: tasks.map((task) => task.id), oldestWaitMs: now - oldest, afterMs };
  }

  private agentsNow(): AgentNow[] {
    const hub = this.deps.hub();
    if (!hub) return [];
    return [...hub.agents.all()].map((entry) => ({
      agentId: entry.agentId, state: stateOf(entry), since: this.deps.recorder.stateStartedAt(entry.agentId),
    }));
  }

  private storageProblems(sizeBytes: number | null, backupAgeS: number | null, thresholds: AlertThresholds): string[] {
    const problems: string[] = [];
    if (sizeBytes === null) problems.push('storage statistics unavailable');
    try {
      const disk = statfsSync(this.deps.dataDir);
      const freePct = (disk.bavail / disk.blocks) * 100;
      if (freePct < thresholds.storage_free_pct) problems.push(`disk ${freePct.toFixed(1)}% free`);
    } catch {
      problems.push('data folder unreadable');
    }
    if (backupAgeS !== null && backupAgeS * 1000 > thresholds.backup_max_age_ms) problems.push(`newest backup ${Math.round(backupAgeS / 3600)} h old`);
    // What storage operations report (a restore after corruption, quarantined records, a failed backup) raises the alert too.
    for (const reason of this.deps.hub()?.storage?.degradedReasons() ?? []) if (!reason.startsWith('storage_restarting')) problems.push(reason);
    return problems;
  }
}
