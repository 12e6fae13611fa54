// The load both queue scenarios offer, so AgentCom and BullMQ figures sit side by side on equal terms.
export const comparisonLoad = {
  /** Callers (AgentCom claimers) and BullMQ Worker concurrency in the drain stages. */
  concurrency: 64,
  /** Offered rate of the task-life latency stage: well under both systems' capacity. */
  pacedRatePerSec: 500,
  /** Jobs per BullMQ addBulk call. */
  bulkBatch: 1000,
} as const;

/** The whole-hub lifecycle load (lifecycle scenario) and its BullMQ twin (bullmq scenario). */
export const lifecycleLoad = {
  /** Simulated agents on sockets; BullMQ Worker concurrency is set to the same number. */
  agents: 100,
  /** Tasks per measured stage (--quick: quickTasks). */
  tasks: 20_000,
  quickTasks: 3_000,
  /** Warm-up tasks before the first measured stage. */
  warmupTasks: 2_000,
  quickWarmupTasks: 500,
  /** "single" stage: this many POST /api/tasks (BullMQ: add) in flight. */
  submitConcurrency: 64,
  /** "batched" stage: waves of this many concurrent POSTs (BullMQ: one addBulk of this many). */
  waveSize: 1000,
} as const;
