// The queue's lanes by name. A leaf with no imports: the CLI reads it without loading TypeBox.

/** Lane names in scheduling order; the index is the wire integer (urgent 0 … low 3). */
export const priorityNames = ['urgent', 'high', 'normal', 'low'] as const;
export type PriorityName = (typeof priorityNames)[number];

/**
 * Old `agentcom-submit` clients send `critical`, which the original silently
 * treated as normal (reference quirk 8). It means "most urgent", so we map it there.
 */
export const priorityAliases: Readonly<Record<string, number>> = { critical: 0 };
