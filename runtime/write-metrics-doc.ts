// `npm run docs:metrics`: writes docs/metrics.md from the metric catalogue.
import { writeFileSync } from 'node:fs';
import { metricsMarkdown } from './metric-catalogue.ts';

writeFileSync(new URL('../docs/metrics.md', import.meta.url), metricsMarkdown());
