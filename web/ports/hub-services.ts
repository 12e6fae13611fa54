// The hub's role services as the transport receives them at boot. Each web handler
// takes only the role it needs (web/http/*, agent-socket, dashboard-socket); runtime/hub/
// implements the roles, so web/ never imports actors or storage engines.
import type { RateLimiter } from '../rate-limits/rate-limiter.ts';
import type { StoragePort } from '../storage-port.ts';
import type { AccessPort } from './access-port.ts';
import type { AgentSessionsPort } from './agent-sessions-port.ts';
import type { ApprovalsPort } from './approvals-port.ts';
import type { DashboardPort } from './dashboard-port.ts';
import type { FleetPort } from './fleet-port.ts';
import type { MessagingPort } from './messaging-port.ts';
import type { RuntimeConfigPort } from './runtime-config-port.ts';
import type { SchedulesPort } from './schedules-port.ts';
import type { TaskPort } from './task-port.ts';
import type { TaskReportPort } from './task-report-port.ts';

/** Which hub this is: /health and the dashboard show it. */
export interface HubAbout {
  readonly version: string;
  readonly startedAt: number;
}

export interface HubServices {
  readonly about: HubAbout;
  readonly access: AccessPort;
  readonly sessions: AgentSessionsPort;
  readonly tasks: TaskPort;
  readonly reports: TaskReportPort;
  readonly approvals: ApprovalsPort;
  readonly fleet: FleetPort;
  readonly config: RuntimeConfigPort;
  readonly dashboard: DashboardPort;
  readonly messaging: MessagingPort;
  /** Null when the hub runs without a schedule store. */
  readonly schedules: SchedulesPort | null;
  /** Storage operations; null in a hub built without them. */
  readonly storage: StoragePort | null;
  /** Token buckets, overrides and whitelist (reference §8); denials reach the hub through its onDenied. */
  readonly rateLimiter: RateLimiter;
}
