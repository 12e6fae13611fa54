// An agent as the API, the dashboard and the other hubs of a cluster see it:
// the reference's AgentInfo plus the FSM view.

export interface AgentView {
  agent_id: string;
  name: string;
  status: string;
  capabilities: string[];
  connected_at: number | null;
  fsm_state: 'offline' | 'idle' | 'assigned' | 'working' | 'blocked' | 'stopping';
  current_task_id: string | null;
  /** The held task's description when this hub delivered it (null after a restart, until the next task). */
  current_task_description?: string | null;
  flags: string[];
  last_state_change: number;
  last_seen: number | null;
  tasks_completed: number;
  /** Fleet control: the agent's provider, and why and until when it is blocked (absent when not). */
  provider?: string;
  blocked_reason?: 'breaker' | 'rate_limited';
  blocked_until?: number | null;
  consecutive_failures?: number;
  /** The held task's progress showed no change for no_progress_after_ms. */
  no_progress_since?: number;
  /** The hub the agent is connected to, on a cluster of hubs (engine jetstream). */
  hub?: string;
}
