// Summarizes a V8 .cpuprofile (written by the service under `--cpu-prof`): self time by function and
// by where the code lives (casemgr, a package, node internals, GC, idle). Self time = samples that
// had the function on top of the stack, times the mean sampling interval.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly functions: { name: string; where: string; selfMs: number; share: number }[];
  readonly areas: { area: string; selfMs: number; share: number }[];
}

/** casemgr's own files, a package by name, node internals, or V8's pseudo-frames. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(dist|src)\/(.+)$/.exec(url);
  if (own) return `casemgr ${own[2].split('/')[0]}`;
  return url;
}

function shortUrl(url: string): string {
  const pkg = /node_modules\/(.+)$/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/((?:dist|src)\/.+)$/.exec(url);
  return own ? own[1] : url;
}

export function summarizeProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const totalSamples =
    profile.samples?.length ?? profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const msPerSample = totalSamples > 0 ? totalMs / totalSamples : 0;
  const byFunction = new Map<string, { name: string; where: string; samples: number }>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = byFunction.get(key);
    if (entry) entry.samples += hits;
    else byFunction.set(key, { name, where, samples: hits });
    const area = areaOf(url, name);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const share = (samples: number) => (totalSamples > 0 ? samples / totalSamples : 0);
  return {
    totalMs,
    functions: [...byFunction.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, top)
      .map((f) => ({
        name: f.name,
        where: f.where,
        selfMs: f.samples * msPerSample,
        share: share(f.samples),
      })),
    areas: [...byArea]
      .sort(([, a], [, b]) => b - a)
      .slice(0, 15)
      .map(([area, samples]) => ({ area, selfMs: samples * msPerSample, share: share(samples) })),
  };
}

export function profileLines(title: string, summary: ProfileSummary): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return [
    `#### ${title} — ${(summary.totalMs / 1000).toFixed(1)} s profiled`,
    '',
    '| Self time by area | ms | share |',
    '| --- | --- | --- |',
    ...summary.areas.map((a) => `| ${a.area} | ${a.selfMs.toFixed(0)} | ${pct(a.share)} |`),
    '',
    '| Top self-time functions | where | ms | share |',
    '| --- | --- | --- | --- |',
    ...summary.functions.map(
      (f) => `| \`${f.name}\` | ${f.where} | ${f.selfMs.toFixed(0)} | ${pct(f.share)} |`,
    ),
  ];
}
