// What the agent swarm counts per stage (the stage name travels in each task's metadata):
// assignments, acknowledged completions, their times, and latency from the submit stamp.
import { SampleRecorder, type LatencySummary } from './sample-stats.ts';

export interface StageFigures {
  assigned: number;
  completed: number;
  firstAssignAt: number;
  lastAssignAt: number;
  lastCompleteAt: number;
  /** Stamped submit → task_assign frame received. */
  assignMs: LatencySummary;
  /** Stamped submit → task_ack {status: complete} received (the hub has committed the completion). */
  completeMs: LatencySummary;
}

export interface StageRecord {
  assigned: number;
  completed: number;
  firstAssignAt: number;
  lastAssignAt: number;
  lastCompleteAt: number;
  assignMs: SampleRecorder;
  completeMs: SampleRecorder;
}

const noFigures = (): LatencySummary => ({ count: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN });

export class StageStats {
  private readonly stages = new Map<string, StageRecord>();

  /** The stage's live record, created on first use. */
  record(stage: string): StageRecord {
    let record = this.stages.get(stage);
    if (!record) {
      record = { assigned: 0, completed: 0, firstAssignAt: NaN, lastAssignAt: NaN, lastCompleteAt: NaN, assignMs: new SampleRecorder(), completeMs: new SampleRecorder() };
      this.stages.set(stage, record);
    }
    return record;
  }

  count(stage: string, what: 'assigned' | 'completed'): number {
    return this.stages.get(stage)?.[what] ?? 0;
  }

  figures(stage: string): StageFigures {
    const record = this.stages.get(stage);
    if (!record) {
      return { assigned: 0, completed: 0, firstAssignAt: NaN, lastAssignAt: NaN, lastCompleteAt: NaN, assignMs: noFigures(), completeMs: noFigures() };
    }
    return { ...record, assignMs: record.assignMs.summary(), completeMs: record.completeMs.summary() };
  }
}
