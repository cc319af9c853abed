// latest.svg, drawn by hand so no browser or plotting library is needed: one panel per
// workload (and runtime, when the results cover containerd or podman nodes), makespan
// against node count, one solid line per contender, the bounds dashed.
import type { LabRuntime } from '../lab/runtimes.js';
import { boundsFor, cellSeconds, runtimeOf, runtimesOf, sectionTitle, type BenchResults } from './results-model.js';

const PANEL_WIDTH = 440;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 52 };
const LEGEND_ROW = 20;
const LEGEND_COLUMN = 290;
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick steps (1, 2, 5 × 10^k) giving about `target` ticks from 0 to max. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max) break;
  }
  return ticks;
}

interface Series {
  label: string;
  color: string;
  dashed: boolean;
  /** Stroke width: hound's strategies often take the same time, so earlier ones are drawn wider and stay visible under later ones. */
  width: number;
  points: { nodes: number; seconds: number }[];
}

/** One panel: a workload on one runtime's nodes. */
interface Panel {
  workload: BenchResults['workloads'][number];
  runtime: LabRuntime;
}

/** A contender keeps its colour on every runtime's panel (hound (relay) is the same line on Docker and containerd). */
function colorOf(results: BenchResults, label: string): string {
  const labels = [...new Set(results.contenders.map((c) => c.label))];
  return PALETTE[labels.indexOf(label) % PALETTE.length];
}

function seriesOf(results: BenchResults, { workload, runtime }: Panel): Series[] {
  const contenders = results.contenders.filter((c) => runtimeOf(c) === runtime);
  const hounds = contenders.filter((c) => c.isHound);
  const series: Series[] = contenders.map((c) => ({
    label: c.label,
    color: colorOf(results, c.label),
    dashed: false,
    width: c.isHound ? 2 + 2 * (hounds.length - 1 - hounds.indexOf(c)) : 2,
    points: results.nodeCounts.flatMap((n) => {
      const s = cellSeconds(results, workload, n, c.id);
      return s === undefined ? [] : [{ nodes: n, seconds: s }];
    }),
  }));
  const bound = (label: string, color: string, pick: 'originOnlySeconds' | 'eachLayerOnceSeconds' | 'cpuSeconds'): Series => ({
    label,
    color,
    dashed: true,
    width: 2,
    points: results.nodeCounts.flatMap((n) => {
      const value = boundsFor(results, workload, n)?.[pick];
      return value === undefined ? [] : [{ nodes: n, seconds: value }];
    }),
  });
  series.push(bound('bound: origin registry only', '#000000', 'originOnlySeconds'));
  series.push(bound('bound: each layer once', '#888888', 'eachLayerOnceSeconds'));
  const cpu = bound("bound: this machine's CPU", '#b8860b', 'cpuSeconds');
  // Docker's pull processing, measured on a Docker node (pull-cpu.ts).
  if (runtime === 'docker' && cpu.points.length > 0) series.push(cpu);
  return series;
}

function panelSvg(results: BenchResults, { workload, runtime }: Panel, offsetX: number, series: Series[]): string[] {
  const out: string[] = [];
  const plotW = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.seconds)));
  const yTicks = niceTicks(maxY);
  const yTop = yTicks[yTicks.length - 1];
  const minN = Math.min(...results.nodeCounts);
  const maxN = Math.max(...results.nodeCounts);
  // A single node count still gets a readable axis: centre it.
  const x = (n: number): number => offsetX + MARGIN.left + (maxN === minN ? plotW / 2 : ((n - minN) / (maxN - minN)) * plotW);
  const y = (s: number): number => MARGIN.top + plotH - (s / yTop) * plotH;
  const title = sectionTitle(results, workload, runtime);
  out.push(`<text x="${offsetX + PANEL_WIDTH / 2}" y="20" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`);
  for (const t of yTicks) {
    out.push(`<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${offsetX + MARGIN.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`);
  }
  for (const n of results.nodeCounts) {
    out.push(`<text x="${x(n).toFixed(1)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${n}</text>`);
  }
  out.push(`<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${offsetX + MARGIN.left + plotW / 2}" y="${PANEL_HEIGHT - 12}" text-anchor="middle">nodes</text>`);
  const midY = MARGIN.top + plotH / 2;
  out.push(`<text x="${offsetX + 16}" y="${midY}" text-anchor="middle" transform="rotate(-90 ${offsetX + 16} ${midY})">makespan (s)</text>`);
  for (const s of series) {
    if (s.points.length === 0) continue;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const path = s.points.map((p) => `${x(p.nodes).toFixed(1)},${y(p.seconds).toFixed(1)}`).join(' ');
    out.push(`<polyline class="series" data-label="${escapeXml(s.label)}" points="${path}" fill="none" stroke="${s.color}" stroke-width="${s.width}"${dash}/>`);
    for (const p of s.points) out.push(`<circle cx="${x(p.nodes).toFixed(1)}" cy="${y(p.seconds).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  return out;
}

/** `subtitle` lines go under the panels (rates, how many runs); long ones are the caller's to split. */
export function resultsChart(results: BenchResults, subtitle: readonly string[]): string {
  const panels: Panel[] = results.workloads.flatMap((workload) => runtimesOf(results).map((runtime) => ({ workload, runtime })));
  const seriesByPanel = panels.map((p) => seriesOf(results, p));
  // Every line once, in the order the panels first draw it.
  const legendItems = [...new Map(seriesByPanel.flat().map((s) => [s.label, s])).values()];
  const width = Math.max(1, panels.length) * PANEL_WIDTH;
  // Legend columns wide enough for the longest contender label at 12px.
  const columns = Math.max(1, Math.floor(width / LEGEND_COLUMN));
  const subtitleTop = PANEL_HEIGHT + 12;
  const legendTop = subtitleTop + subtitle.length * LEGEND_ROW + 8;
  const height = legendTop + Math.ceil(legendItems.length / columns) * LEGEND_ROW + 12;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  panels.forEach((p, i) => out.push(...panelSvg(results, p, i * PANEL_WIDTH, seriesByPanel[i])));
  subtitle.forEach((line, i) => out.push(`<text x="12" y="${subtitleTop + i * LEGEND_ROW}" fill="#555">${escapeXml(line)}</text>`));
  legendItems.forEach((s, i) => {
    const lx = 16 + (i % columns) * LEGEND_COLUMN;
    const ly = legendTop + Math.floor(i / columns) * LEGEND_ROW;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="${s.width}"${dash}/>`);
    out.push(`<text class="legend" x="${lx + 36}" y="${ly + 4}">${escapeXml(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
