// What the editor says about a tracked function, as text: the CodeLens title, the inline
// result after the `def` line, the quick pick of recent calls, the hover's Markdown and the
// Problems message. Pure, so every wording is tested in plain Node.

import type { StatsWindow } from '../../core/functions/callStats';
import type { FunctionSummary, RecentCall } from '../../core/functions/functionIndex';

export const WINDOW_LABELS: Record<StatsWindow, string> = {
  run: 'the last run',
  hour: 'the last hour',
  day: 'the last 24 hours',
  all: 'all kept calls',
};

/** `12 calls · p50 1.2 s · p95 3.4 s · 2 errors · 4.1k tok · $0.031 · relevance 0.82`. */
export function lensTitle(f: FunctionSummary, window: StatsWindow): string {
  if (f.calls === 0) return `no calls in ${WINDOW_LABELS[window]}`;
  // Ended calls only: the lens is redrawn when a call ends, not when one starts.
  const ended = f.calls - f.running;
  if (ended === 0) return `${f.running} ${f.running === 1 ? 'call' : 'calls'} running`;
  const parts = [`${ended} ${ended === 1 ? 'call' : 'calls'}`];
  if (f.p50_ms === null) parts.push('running');
  else if (ended === 1 || f.p50_ms === f.p95_ms) parts.push(formatMs(f.p50_ms));
  else parts.push(`p50 ${formatMs(f.p50_ms)}`, `p95 ${formatMs(f.p95_ms!)}`);
  if (f.errors) parts.push(`${f.errors} ${f.errors === 1 ? 'error' : 'errors'}`);
  if (f.tokens) parts.push(`${formatTokens(f.tokens)} tok`);
  if (f.cost) parts.push(formatCost(f.cost));
  for (const name of Object.keys(f.scores).sort()) parts.push(`${name} ${roundScore(f.scores[name])}`);
  return parts.join(' · ');
}

/** `→ 1.2 s · 340 tok · "Bonjour! Comment…"`, or `→ ValueError: kaboom` for a failed call. */
export function inlineText(call: RecentCall, maxPreview = 40): string {
  if (call.status === 'error') return `→ ${shorten(call.error ?? 'error', 80)}`;
  const parts = [call.duration_ms === null ? 'running' : formatMs(call.duration_ms)];
  if (call.tokens) parts.push(`${formatTokens(call.tokens)} tok`);
  if (call.output_preview) parts.push(`"${shorten(oneLine(call.output_preview), maxPreview)}"`);
  return `→ ${parts.join(' · ')}`;
}

/** One row of the recent-calls quick pick. */
export function callPickItem(call: RecentCall, now: number): { label: string; description: string; detail: string } {
  const icon = call.status === 'error' ? '$(error)' : call.status === 'running' ? '$(loading~spin)' : '$(pass)';
  const time = clockTime(call.start_time);
  return {
    label: `${icon} ${time} · ${call.duration_ms === null ? 'running' : formatMs(call.duration_ms)}`,
    description: [
      call.status,
      ago(now - Date.parse(call.start_time)),
      call.tokens ? `${formatTokens(call.tokens)} tok` : '',
    ]
      .filter(Boolean)
      .join(' · '),
    detail: call.status === 'error' ? (call.error ?? 'error') : oneLine(call.output_preview ?? '(no output)'),
  };
}

/** `ValueError: kaboom — in boom (trace my_llm_application, 2 min ago)`. */
export function problemMessage(call: RecentCall, fn: string, now: number): string {
  const where = [call.trace_name ? `trace ${call.trace_name}` : undefined, ago(now - Date.parse(call.start_time))]
    .filter(Boolean)
    .join(', ');
  return `${call.error ?? 'error'} — in ${fn} (${where})`;
}

export interface HoverParts {
  fn: string;
  call: RecentCall;
  input?: string;
  output?: string;
  scores: { name: string; value: number; reason?: string }[];
  /** command: URIs, built by the caller from our own command ids. */
  links: { label: string; command: string }[];
}

/**
 * The hover's Markdown. Span text only ever goes inside code fences longer than any run of
 * backticks it holds, so it shows as text whatever it contains; the only links are ours.
 */
export function hoverMarkdown(h: HoverParts, maxChars = 1500): string {
  const out = [
    `**${escapeMarkdown(h.fn)}** — last call ${clockTime(h.call.start_time)}, ${h.call.duration_ms === null ? 'running' : formatMs(h.call.duration_ms)}, ${h.call.status}`,
  ];
  if (h.input !== undefined) out.push('Input', codeBlock(shorten(h.input, maxChars)));
  if (h.call.status === 'error') out.push('Error', codeBlock(shorten(h.call.error ?? 'error', maxChars)));
  if (h.output !== undefined) out.push('Output', codeBlock(shorten(h.output, maxChars)));
  if (h.scores.length)
    out.push(
      h.scores
        .map(
          (s) =>
            `- ${escapeMarkdown(s.name)}: ${s.value}${s.reason ? ` — ${escapeMarkdown(shorten(oneLine(s.reason), 120))}` : ''}`,
        )
        .join('\n'),
    );
  if (h.links.length) out.push(h.links.map((l) => `[${escapeMarkdown(l.label)}](${l.command})`).join(' · '));
  return out.join('\n\n');
}

export function codeBlock(text: string, language = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Backslash-escapes Markdown's punctuation (and `<`, so no HTML tag can open). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  return `${(ms / 60_000).toFixed(1).replace(/\.0$/, '')} min`;
}

export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

export function formatCost(usd: number): string {
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  if (usd >= 0.01) return `$${usd.toFixed(3)}`;
  return `$${usd.toPrecision(2)}`;
}

/** `just now`, `40 s ago`, `2 min ago`, `3 h ago`, `2 d ago`. */
export function ago(ms: number): string {
  if (!Number.isFinite(ms) || ms < 5_000) return 'just now';
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

function roundScore(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** HH:MM:SS in local time. */
function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
