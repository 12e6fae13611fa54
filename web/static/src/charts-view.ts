// The last hour at 10 s resolution, drawn with uPlot from the snapshot's `series`
// and the `metrics_snapshot` events that follow it.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { byId, h } from './dom.ts';
import type { DashboardStore } from './store.ts';
import type { MetricsSample } from './types.ts';
import { xRange } from './chart-range.ts';

interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: Array<{ label: string; colour: string; value: (sample: MetricsSample) => number | null }>;
  range?: [number, number];
}

const specs: ChartSpec[] = [
  {
    id: 'depth', title: 'Queue depth per lane', unit: 'tasks',
    series: ['urgent', 'high', 'normal', 'low'].map((label, lane) => ({
      label, colour: `--lane-${lane}`, value: (sample: MetricsSample) => sample.queue_depth[lane],
    })),
  },
  {
    id: 'throughput', title: 'Throughput per 10 s', unit: 'tasks',
    series: [
      { label: 'submitted', colour: '--c-submitted', value: (sample) => sample.submitted },
      { label: 'completed', colour: '--c-completed', value: (sample) => sample.completed },
      { label: 'failed', colour: '--c-failed', value: (sample) => sample.failed },
    ],
  },
  {
    id: 'latency', title: 'Assignment latency', unit: 'ms',
    series: [
      { label: 'p50', colour: '--c-p50', value: (sample) => sample.assign_latency_p50_ms },
      { label: 'p99', colour: '--c-p99', value: (sample) => sample.assign_latency_p99_ms },
    ],
  },
  {
    id: 'utilization', title: 'Agent utilization', unit: '%', range: [0, 100],
    series: [{ label: 'busy', colour: '--c-util', value: (sample) => sample.utilization_pct }],
  },
];

export function chartsView(store: DashboardStore): void {
  const container = byId('charts');
  const charts = new Map<string, { plot: uPlot; holder: HTMLElement }>();

  const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  const dataOf = (spec: ChartSpec): uPlot.AlignedData => [
    store.series.map((sample) => sample.timestamp / 1000),
    ...spec.series.map((line) => store.series.map((sample) => line.value(sample))),
  ];

  const build = () => {
    for (const { plot } of charts.values()) plot.destroy();
    charts.clear();
    container.replaceChildren();
    const axis = { stroke: css('--muted'), grid: { stroke: css('--grid'), width: 1 }, ticks: { stroke: css('--grid'), width: 1 } };
    for (const spec of specs) {
      const holder = h('div', { class: 'chart-body' });
      const figure = h('figure', { class: 'chart', 'data-chart': spec.id, 'aria-label': `${spec.title}, ${spec.unit}` },
        h('figcaption', null, spec.title, ' ', h('span', { class: 'muted' }, `(${spec.unit})`)), holder);
      container.append(figure);
      const plot = new uPlot({
        width: Math.max(200, holder.clientWidth),
        height: 160,
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
        // Without samples uPlot would invent a span of years; show the last hour instead.
        scales: { x: { time: true, range: (_u, min, max) => xRange(min, max, store.hubNow()) }, y: spec.range ? { range: spec.range } : { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{ ...axis }, { ...axis, size: 48 }],
        series: [{}, ...spec.series.map((line) => ({ label: line.label, stroke: css(line.colour), width: 1.5, spanGaps: false, points: { show: false } }))],
      }, dataOf(spec), holder);
      charts.set(spec.id, { plot, holder });
    }
  };

  const render = () => {
    for (const spec of specs) charts.get(spec.id)?.plot.setData(dataOf(spec));
  };

  const resize = () => {
    for (const { plot, holder } of charts.values()) plot.setSize({ width: Math.max(200, holder.clientWidth), height: 160 });
  };

  build();
  store.on('series', render);
  new ResizeObserver(() => resize()).observe(container);
  // Colours come from CSS variables; redraw when the colour scheme flips.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => build());
}
