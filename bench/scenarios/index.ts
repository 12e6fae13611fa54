// Every registered scenario, in the order `npm run bench` runs them (queue before bullmq: bullmq's ratio column reads queue's figures).
import type { Scenario } from '../lib/scenario.ts';
import { bullmqScenario } from './bullmq.ts';
import { connectionsScenario } from './connections.ts';
import { latencyScenario } from './latency.ts';
import { lifecycleScenario } from './lifecycle.ts';
import { messagingScenario } from './messaging.ts';
import { queueScenario } from './queue.ts';
import { restartScenario } from './restart.ts';
import { schedulerScenario } from './scheduler.ts';
import { wireScenario } from './wire.ts';

export const scenarios: readonly Scenario[] = [
  queueScenario,
  bullmqScenario,
  lifecycleScenario,
  latencyScenario,
  connectionsScenario,
  restartScenario,
  schedulerScenario,
  wireScenario,
  messagingScenario,
];
