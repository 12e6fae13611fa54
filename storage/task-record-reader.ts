// Reads one task record without letting a damaged one (bytes overwritten, a record
// encoded with structures that were never saved) throw through a listing: the
// caller skips it and reports it, and everyone else's listing still works.
import type { Database } from 'lmdb';
import type { TaskRecord } from './task-record.ts';

export interface UnreadableRecord {
  id: string;
  error: string;
}

export type RecordRead = { ok: true; task: TaskRecord | undefined } | ({ ok: false } & UnreadableRecord);

export function readTaskRecord(db: Database<TaskRecord, string>, id: string): RecordRead {
  let value: unknown;
  try {
    value = db.get(id);
  } catch (error) {
    // A closed store (shutdown) is not a damaged record: callers stop as they always did.
    if (error instanceof Error && /closed/i.test(error.message)) throw error;
    return { ok: false, id, error: error instanceof Error ? error.message : String(error) };
  }
  if (value === undefined) return { ok: true, task: undefined };
  if (!looksLikeTask(value)) return { ok: false, id, error: 'decoded to something that is not a task record' };
  return { ok: true, task: value };
}

function looksLikeTask(value: unknown): value is TaskRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<TaskRecord>;
  return typeof record.id === 'string' && typeof record.status === 'string' && Array.isArray(record.needed_capabilities);
}
