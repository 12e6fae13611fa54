// Branch names for task work: `<agent-slug>/<task-slug>`.
//
// The agent slug uses the whole agent id (up to 24 characters). The original
// cut it at the first `-`, so every `gcu-*` agent shared `gcu/` (quirk 11).

export const agentSlugMaxChars = 24;
const taskSlugMaxChars = 40;

/** Lowercase ASCII letters, digits and single hyphens; no leading or trailing hyphen. */
export function slugify(text: string, maxChars: number): string {
  const slug = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '');
  return slug.slice(0, maxChars).replace(/-+$/, '');
}

export function branchNameFor(agentId: string, taskId: string, description: string): string {
  const agentSlug = slugify(agentId, agentSlugMaxChars) || 'agent';
  const taskSlug = slugify(description, taskSlugMaxChars) || slugify(taskId, taskSlugMaxChars) || 'task';
  return `${agentSlug}/${taskSlug}`;
}

/** The first of `base`, `base-2`, `base-3`… not in `taken`; existing branches are never replaced. */
export function firstFreeBranch(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let suffix = 2; ; suffix++) {
    const candidate = `${base}-${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
