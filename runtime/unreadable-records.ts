// Damaged task records that listings skipped: logged once each, counted for the stats.
import type { Logger } from './logger.ts';

/** Distinct ids remembered; past this many the count stops growing but listings still skip. */
const rememberedIds = 10_000;

export class UnreadableRecords {
  private readonly seen = new Set<string>();

  constructor(private readonly log: Logger) {}

  /** Notes what a listing skipped; returns how many were skipped, for the listing's reply. */
  note(skipped: ReadonlyArray<{ id: string; error: string }> | undefined): number {
    for (const { id, error } of skipped ?? []) {
      if (this.seen.has(id) || this.seen.size >= rememberedIds) continue;
      this.seen.add(id);
      this.log.error('unreadable task record skipped', { code: 'AC_ERR_STORAGE', task_id: id, error });
    }
    return skipped?.length ?? 0;
  }

  count(): number {
    return this.seen.size;
  }
}
