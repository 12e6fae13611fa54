// The load both queue scenarios offer, so AgentCom and BullMQ figures sit side by side on equal terms.
export const comparisonLoad = {
  /** Callers (AgentCom claimers) and BullMQ Worker concurrency in the drain stages. */
  concurrency: 64,
  /** Offered rate of the task-life latency stage: well under both systems' capacity. */
  pacedRatePerSec: 500,
  /** Jobs per BullMQ addBulk call. */
  bulkBatch: 1000,
} as const;
