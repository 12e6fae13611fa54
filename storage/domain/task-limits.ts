// How large a task and its fields may be: what the submit schema refuses and storage trims to.
// A leaf with no imports.
export const taskLimits = {
  descriptionChars: 10_000,
  capabilityChars: 128,
  capabilities: 32,
  metadataBytes: 64 * 1024,
  idempotencyKeyChars: 256,
  errorChars: 2_000,
  maxRetries: 100,
  /** A day: the longest pause a retry may wait. */
  retryBackoffMaxMs: 86_400_000,
  historyEntries: 50,
  dependencies: 100,
  /** An operator's reason for rejecting a task. */
  rejectReasonChars: 2_000,
  /** Path globs a task may lease (path-leases.ts). */
  paths: 100,
  pathChars: 512,
  budgetTokens: 1_000_000_000_000,
} as const;
