// The shapes the page reads. Types only, taken from the hub's own sources and wire schemas so they cannot drift.
import type { AgentView } from '../../../storage/domain/agent-view.ts';
import type { DashboardEvent } from '../../protocol/dashboard-events.ts';
import type { ProviderView } from '../../ports/fleet-port.ts';
import type { TaskLinks, TaskListPage } from '../../ports/task-port.ts';
import type { HttpReply } from '../../protocol/http-replies.ts';
import type { Task, TaskHistoryEntry } from '../../../storage/domain/task.ts';
import type { MetricsSample } from '../../protocol/metrics-sample.ts';
import type { Static } from '@sinclair/typebox';
import type { activeAlertSchema } from '../../protocol/dashboard-events.ts';
import type { DashboardStateFrame } from '../../protocol/dashboard-snapshot.ts';
import type { TaskStatsView } from '../../protocol/task-replies.ts';
import type { CompactionRun } from '../../../storage/domain/storage-reports.ts';
import type { StorageHealth } from '../../protocol/storage-admin.ts';
import type { rateLimitedSubjectSchema } from '../../protocol/rate-limits.ts';

/** A feed event as the hub's schema types it: switch on `type` and no cast follows. */
export type HubEvent = DashboardEvent;

export type { AgentView, CompactionRun, MetricsSample, StorageHealth, Task, TaskHistoryEntry };

/** Queued tasks per status and per lane ("0" urgent … "3" low). */
export type QueueStats = TaskStatsView;

/** An alert as the feed carries it (alert_fired / the snapshot's active alerts). */
export type Alert = Static<typeof activeAlertSchema>;

/** GET /api/dashboard/state and the `snapshot` frame's data: the hub's own schema (web/protocol/dashboard-snapshot.ts). */
export type DashboardSnapshot = DashboardStateFrame;


export type TaskPage = TaskListPage;

/** A dependency or dependent as GET /api/tasks/:id lists it. */
export type TaskLink = TaskLinks['dependencies'][number];

/** GET /api/tasks/:id: the task plus its place in a workflow and its path leases. */
export type TaskDetail = HttpReply<'task_detail'>;

export const laneNames = ['urgent', 'high', 'normal', 'low'] as const;

/** One bucket key denied in the last minute (`agent:<id>`, `ip:<address>`). */
export type RateLimited = Static<typeof rateLimitedSubjectSchema>;
