// Reads V8 .cpuprofile files (node --cpu-prof) and says where the time went: the
// functions with the most self time, and self time grouped by module.
import { readFileSync } from 'node:fs';
import type { ResultTable } from './scenario.ts';
import { fmt } from './table-format.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled ms, idle excluded. */
  busyMs: number;
  idleMs: number;
  top: Array<{ name: string; where: string; group: string; selfMs: number }>;
  groups: Array<{ group: string; selfMs: number }>;
}

const repoMarker = '/agentcom/';

/** Which part of the system a frame belongs to, from its script URL. */
export function groupOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return 'V8/native (program)';
    if (functionName === '(idle)') return 'idle';
    return 'native';
  }
  if (url.startsWith('node:')) {
    // node:internal/streams/writable → node: streams; node:net → node: net
    const parts = url.replace(/^node:(internal\/)?/, '').split('/');
    return `node: ${parts.length > 1 ? parts[0] : parts[0].replace(/\.js$/, '')}`;
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (name === 'lmdb' || name === 'msgpackr' || name === 'ordered-binary' || name.startsWith('@lmdb')) return 'lmdb';
    if (name === 'uWebSockets.js') return 'uWS';
    if (name === 'xstate') return 'xstate';
    if (['winston', 'logform', 'winston-transport', 'triple-beam', 'readable-stream', 'safe-stable-stringify', '@colors/colors', 'fecha', 'colorspace'].includes(name)) return 'winston';
    if (name === 'ajv' || name === '@sinclair/typebox') return 'validation (ajv)';
    if (name === 'tsx' || name === 'esbuild') return 'tsx loader';
    return name;
  }
  const path = url.replace(/^file:\/\//, '');
  const match = path.match(/\/(actors|machines|runtime|storage|web|sidecar)\/[^/]+$/) ?? path.match(/\/(actors|machines|runtime|storage|web)\//);
  if (match) return `ours: ${match[1]}/`;
  if (path.includes(repoMarker)) return 'ours: other';
  return 'other';
}

export function summarizeProfiles(paths: string[], topCount = 15): ProfileSummary {
  const selfByFrame = new Map<string, { name: string; where: string; group: string; selfMs: number }>();
  const selfByGroup = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  for (const path of paths) {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    for (let i = 0; i < profile.samples.length; i++) {
      const node = byId.get(profile.samples[i]);
      if (!node) continue;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const { functionName, url, lineNumber } = node.callFrame;
      const group = groupOf(url, functionName);
      if (group === 'idle') { idleMs += ms; continue; }
      busyMs += ms;
      selfByGroup.set(group, (selfByGroup.get(group) ?? 0) + ms);
      // tsx hands V8 transpiled code without line numbers that mean anything for our .ts files.
      const where = url ? (url.endsWith('.ts') ? shortUrl(url) : `${shortUrl(url)}:${lineNumber + 1}`) : '';
      const key = `${functionName}@${where}`;
      const entry = selfByFrame.get(key) ?? { name: functionName || '(anonymous)', where, group, selfMs: 0 };
      entry.selfMs += ms;
      selfByFrame.set(key, entry);
    }
  }
  return {
    busyMs,
    idleMs,
    top: [...selfByFrame.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, topCount),
    groups: [...selfByGroup].map(([group, selfMs]) => ({ group, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const ours = url.match(/\/((?:actors|machines|runtime|storage|web|sidecar)\/.*)$/);
  if (ours) return ours[1];
  return url.replace(/^file:\/\//, '');
}

export function profileTables(summary: ProfileSummary, what: string): ResultTable[] {
  const share = (ms: number) => `${((ms / summary.busyMs) * 100).toFixed(1)}%`;
  return [
    {
      title: `Hub CPU profile (${what}): top ${summary.top.length} functions by self time; ${fmt(summary.busyMs)} ms busy, ${fmt(summary.idleMs)} ms idle (main thread only)`,
      columns: ['function', 'where', 'group', 'self ms', 'share'],
      textColumns: 3,
      rows: summary.top.map((entry) => [entry.name, entry.where, entry.group, fmt(entry.selfMs), share(entry.selfMs)]),
    },
    {
      title: `Hub CPU profile: self time by module (those under ${minGroupShare * 100}% folded into the last row)`,
      columns: ['module', 'self ms', 'share'],
      rows: groupRows(summary, share),
    },
  ];
}

const minGroupShare = 0.005;

function groupRows(summary: ProfileSummary, share: (ms: number) => string): ResultTable['rows'] {
  const shown = summary.groups.filter((entry) => entry.selfMs >= summary.busyMs * minGroupShare);
  const rest = summary.groups.filter((entry) => entry.selfMs < summary.busyMs * minGroupShare);
  const rows: ResultTable['rows'] = shown.map((entry) => [entry.group, fmt(entry.selfMs), share(entry.selfMs)]);
  const restMs = rest.reduce((sum, entry) => sum + entry.selfMs, 0);
  if (rest.length > 0) rows.push([`${rest.length} others`, fmt(restMs), share(restMs)]);
  return rows;
}
