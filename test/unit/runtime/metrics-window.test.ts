import { expect } from 'chai';
import { histogramQuantile, type MetricsReading } from '../../../runtime/metrics-reading.ts';
import { MetricsWindow } from '../../../runtime/metrics-window.ts';

const reading = (at: number, figures: Partial<MetricsReading>): MetricsReading => ({
  at, queued: 0, submitted: 0, completed: 0, failed: 0, deadLettered: 0, agentsByState: {},
  run: { count: 0, sum: 0, min: null, max: null, boundaries: [1, 10], counts: [0, 0, 0] },
  perAgent: new Map(), storageSizeBytes: 1, storageFreePages: 1, lastBackupAgeSeconds: null, supervisorRestarts: 0, ...figures,
});

describe('MetricsWindow', () => {
  it('interpolates quantiles inside histogram buckets, as histogram_quantile does', () => {
    expect(histogramQuantile([1, 10], [0, 10, 0], 0.5)).to.equal(5.5);
    expect(histogramQuantile([1, 10], [10, 0, 0], 0.9)).to.equal(0.9);
    expect(histogramQuantile([1, 10], [0, 0, 0], 0.5)).to.equal(null);
  });

  it('counts the window as the difference from the newest reading at least an hour old, and the cumulative figures from the start', () => {
    const window = new MetricsWindow(3_600_000);
    window.push(reading(-10_000, { completed: 90, failed: 90, queued: 1 }));
    window.push(reading(0, { completed: 100, failed: 100, queued: 5 }));
    window.push(reading(3_600_000, { completed: 110, failed: 130, queued: 7 }));
    window.push(reading(3_610_000, { completed: 120, failed: 130, queued: 3 }));
    const snapshot = window.snapshot([])!;
    expect(snapshot.error_rates.cumulative).to.deep.equal({ total_tasks: 250, failed: 130, dead_letter: 0, failure_rate_pct: 52 });
    // The reading at -10 s is dropped: the one at 0 is already an hour before the newest.
    expect(snapshot.error_rates.window).to.deep.equal({ total_tasks: 50, failed: 30, dead_letter: 0, failure_rate_pct: 60 });
    expect(snapshot.queue_depth).to.deep.include({ current: 3, max_1h: 7, trend: [5, 7, 3] });
  });
});
