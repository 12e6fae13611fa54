// OTP-style restart rules, as pure functions. A leaf: imports nothing of ours,
// so the supervisor machine can use it without pulling in the runtime.

export type RestartStrategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

// permanent: always restarted; transient: restarted only after a crash;
// temporary: never restarted. Same meaning as Elixir's child_spec :restart.
export type ChildRestart = 'permanent' | 'transient' | 'temporary';

export type ChildExit = 'crash' | 'normal';

export interface RestartIntensity {
  intensity: number;
  periodMs: number;
}

// Elixir's Supervisor defaults: max_restarts 3, max_seconds 5.
export const defaultRestartIntensity: RestartIntensity = { intensity: 3, periodMs: 5000 };

/**
 * Whether one more restart keeps a supervisor within its intensity, given how
 * many restarts happened in the last periodMs. The caller keeps that count
 * (the supervisor machine expires each restart with a periodMs timer).
 */
export function allowsRestart(restartsInPeriod: number, intensity: number): boolean {
  return restartsInPeriod + 1 <= intensity;
}

export function shouldRestart(restart: ChildRestart, exit: ChildExit): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'transient') return exit === 'crash';
  return false;
}

/**
 * Indexes of the children a strategy stops and restarts when the child at
 * crashedIndex goes down, in start order.
 */
export function childrenToRestart(strategy: RestartStrategy, childCount: number, crashedIndex: number): number[] {
  if (crashedIndex < 0 || crashedIndex >= childCount) return [];
  const all = Array.from({ length: childCount }, (_, index) => index);
  switch (strategy) {
    case 'one_for_one':
      return [crashedIndex];
    case 'one_for_all':
      return all;
    case 'rest_for_one':
      return all.slice(crashedIndex);
  }
}
