// The frame of the live view for a terminal of a given size (pure: hosts, size and clock
// in, lines out). Every frame fits: at most rows-1 lines (the cursor rests on the last
// row) of at most columns-1 columns (so no line ever wraps). When every host and each of
// its pulls fits, all are shown; then one row per host; then the summary line and, in the
// rows left, the hosts worth watching: the slowest pulls first, stalled ones before all.
import { formatBytes } from '../base/bytes.js';
import type { HostProgress, LiveHosts } from './live-hosts.js';
import type { RegionLine } from './terminal-region.js';
import { fitToWidth, formatSeconds } from './terminal-text.js';

export interface TerminalSize {
  rows: number;
  columns: number;
}

/** Styled one-column glyphs for the state of a host (plain characters without colour). */
export interface HostMarks {
  running: string;
  waiting: string;
  done: string;
  failed: string;
}

export const PLAIN_MARKS: HostMarks = { running: '>', waiting: '.', done: '+', failed: 'x' };

export interface FrameInput {
  hosts: LiveHosts;
  size: TerminalSize;
  now: number;
  /** Bytes per second of the whole run lately (the reporter measures it over a few seconds). */
  speed: number;
  /** Hosts the last frame showed: they keep their rows while they still run, so rows do not jump about. */
  shown: ReadonlySet<HostProgress>;
  marks: HostMarks;
}

export interface Frame {
  lines: RegionLine[];
  shown: Set<HostProgress>;
}

const NAME_MAX = 32;
/** `4.00 MiB / 16.0 MiB   2.00 MiB/s  ETA 6s  `: bytes, speed and ETA in fixed columns. */
const FIGURES_WIDTH = 21 + 1 + 11 + 1 + 8;

export function layoutFrame(input: FrameInput): Frame {
  const { hosts, size, now } = input;
  const maxLines = Math.max(0, size.rows - 1);
  const width = Math.max(1, size.columns - 1);
  const all = hosts.inPlay.length > 0 ? hosts.inPlay : [...hosts.hosts.values()];
  if (maxLines === 0) return { lines: [], shown: new Set() };
  const summary: RegionLine = { text: fitToWidth(summaryText(all, now, input.speed, hosts.startedAt), width) };
  const room = maxLines - 1;
  const pullRows = all.reduce((n, h) => n + (h.state === 'running' ? activePulls(h).length : 0), 0);
  const detailed = all.length + pullRows <= room;
  const shown = all.length <= room ? all : chooseHosts(all, room, input.shown, now);
  const nameWidth = Math.min(NAME_MAX, Math.max(...shown.map((h) => h.name.length), 1));
  const lines: RegionLine[] = [summary];
  // A mark and its space need room beside at least a little text.
  const marked = width >= 4;
  for (const host of shown) {
    const text = hostText(host, nameWidth, now);
    lines.push(marked ? { mark: markOf(host, input.marks), text: fitToWidth(text, width - 2) } : { text: fitToWidth(text, width) });
    if (detailed && host.state === 'running') {
      for (const meter of activePulls(host)) lines.push({ text: fitToWidth(`    ${meter.describe(now)}`, width) });
    }
  }
  return { lines, shown: new Set(shown) };
}

function activePulls(host: HostProgress) {
  return [...host.pulls.values()].filter((m) => !m.finished);
}

function summaryText(all: HostProgress[], now: number, speed: number, startedAt: number | undefined): string {
  let done = 0;
  let active = 0;
  let failed = 0;
  let bytesDone = 0;
  let bytesTotal = 0;
  for (const h of all) {
    if (h.state === 'done') done++;
    else if (h.state === 'running') active++;
    else if (h.broken) failed++;
    bytesDone += h.bytesDone;
    bytesTotal += h.bytesTotal;
  }
  // Most important first: a narrow terminal cuts the end.
  const parts = [`${done}/${all.length} hosts done`, `${active} active`, `${failed} failed`, `${formatBytes(bytesDone)}/${formatBytes(bytesTotal)}`];
  if (speed > 0) parts.push(`${formatBytes(Math.round(speed))}/s`);
  const left = bytesTotal - bytesDone;
  if (speed > 0 && left > 0) parts.push(`ETA ${formatSeconds(left / speed)}`);
  if (startedAt !== undefined) parts.push(formatSeconds((now - startedAt) / 1000));
  return parts.join('  ');
}

function hostText(host: HostProgress, nameWidth: number, now: number): string {
  const name = fitToWidth(host.name, nameWidth).padEnd(nameWidth);
  switch (host.state) {
    case 'waiting':
      return `${name}  waiting`;
    case 'done':
      return `${name}  done  ${formatBytes(host.finishedBytes)}  ${formatSeconds(((host.endedAt ?? now) - (host.startedAt ?? now)) / 1000)}`;
    case 'failed':
      return `${name}  failed: ${host.failure}`;
    case 'unreachable':
      return `${name}  unreachable: ${host.failure}`;
    case 'running': {
      if (!host.pulling) return `${name}  ${formatSeconds((now - host.taskStartedAt) / 1000).padEnd(FIGURES_WIDTH)}  ${host.task}`;
      const eta = host.eta(now);
      const figures = [
        `${formatBytes(host.bytesDone)} / ${formatBytes(host.bytesTotal)}`.padEnd(21),
        `${formatBytes(Math.round(host.speed(now)))}/s`.padEnd(11),
        (eta === undefined ? '' : eta === Infinity ? 'stalled' : `ETA ${formatSeconds(eta)}`).padEnd(8),
      ];
      return `${name}  ${figures.join(' ')}  ${host.task}`;
    }
  }
}

function markOf(host: HostProgress, marks: HostMarks): string {
  if (host.broken) return marks.failed;
  return host.state === 'running' ? marks.running : host.state === 'done' ? marks.done : marks.waiting;
}

/**
 * `room` hosts to show when not all fit: the running ones first, those shown last time
 * before the others (rows stay put), then by how long they will still take; then failed,
 * waiting and done hosts for rows left over. Shown in inventory order.
 */
function chooseHosts(all: HostProgress[], room: number, previous: ReadonlySet<HostProgress>, now: number): HostProgress[] {
  const rank = (h: HostProgress): number => (h.state === 'running' ? 0 : h.broken ? 1 : h.state === 'waiting' ? 2 : 3);
  // Seconds a host still holds the run up: its pulls' ETA (a stalled pull, Infinity, comes
  // first), or how long its task has been running. A host on screen gets a head start, so
  // another must be clearly slower to take its row.
  const urgency = new Map(
    all.map((h) => {
      const seconds = h.state !== 'running' ? 0 : h.pulling ? (h.eta(now) ?? 0) : (now - h.taskStartedAt) / 1000;
      return [h, previous.has(h) ? seconds * 1.25 + 2 : seconds];
    }),
  );
  const byUrgency = (a: HostProgress, b: HostProgress) => rank(a) - rank(b) || compareDescending(urgency.get(a)!, urgency.get(b)!) || a.order - b.order;
  return [...all]
    .sort(byUrgency)
    .slice(0, room)
    .sort((a, b) => a.order - b.order);
}

function compareDescending(a: number, b: number): number {
  return a === b ? 0 : a > b ? -1 : 1;
}
