// One agent flooding messages while the others work (issue 9, scenario 6).
import { skipped, type Scenario } from '../lib/scenario.ts';

export const fairnessScenario: Scenario = {
  name: 'fairness',
  description: 'one agent flooding messages while others work: their assignment latency',
  run: async () => skipped('needs rate limiting (not built yet)'),
};
