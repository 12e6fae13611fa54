// Human-readable durations, times and sizes.

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours}h ${m % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function ago(then: number | null | undefined, now: number): string {
  if (then === null || then === undefined) return 'never';
  const ms = now - then;
  return ms < 1000 ? 'just now' : `${duration(ms)} ago`;
}

export function clock(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function count(n: number | undefined): string {
  return n === undefined ? '—' : n.toLocaleString('en-US');
}

/** A task's status as shown: a retry waiting out its backoff reads "retrying in 12 s". */
export function statusText(task: { status: string; retry_count: number; not_before: number | null }, now: number): string {
  if (task.status === 'delayed' && task.retry_count > 0 && task.not_before !== null) {
    return `retrying in ${Math.max(0, Math.ceil((task.not_before - now) / 1000))} s`;
  }
  return task.status.replace('_', ' ');
}

/** `task-1a2b…` is long; the tail is what tells tasks apart. */
export function shortId(id: string): string {
  return id.length > 14 ? `…${id.slice(-8)}` : id;
}
