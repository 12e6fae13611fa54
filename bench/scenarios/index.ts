// Every registered scenario, in the order `npm run bench` runs them. bullmq comes after
// queue and lifecycle: its ratio columns read their figures from the same run.
import type { Scenario } from '../lib/scenario.ts';
import { bullmqScenario } from './bullmq.ts';
import { clusterScenario } from './cluster.ts';
import { connectionsScenario } from './connections.ts';
import { dashboardScenario } from './dashboard.ts';
import { fairnessScenario } from './fairness.ts';
import { latencyScenario } from './latency.ts';
import { lifecycleScenario } from './lifecycle.ts';
import { messagingScenario } from './messaging.ts';
import { queueScenario } from './queue.ts';
import { rateLimitCheckScenario } from './rate-limit-check.ts';
import { restartScenario } from './restart.ts';
import { schedulerScenario } from './scheduler.ts';
import { stallsScenario } from './stalls.ts';
import { wireScenario } from './wire.ts';
import { workflowScenario } from './workflow.ts';

export const scenarios: readonly Scenario[] = [
  queueScenario,
  lifecycleScenario,
  bullmqScenario,
  latencyScenario,
  wireScenario,
  connectionsScenario,
  schedulerScenario,
  restartScenario,
  stallsScenario,
  fairnessScenario,
  rateLimitCheckScenario,
  messagingScenario,
  dashboardScenario,
  workflowScenario,
  clusterScenario,
];
