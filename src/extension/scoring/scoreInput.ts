// The rules of scoring from the sidebar, apart from the quick picks that ask for them: which
// score names the settings define (and what is wrong with a bad entry), whether a typed value
// fits a score's range, and what a thumbs click does. Pure, so each rule is unit-tested.

import type { FeedbackScore, ScorePatch } from '../../core/model/model';
import { THUMBS_SCORE, type ScoreDefinition } from '../../shared/protocol';
import { formatScore } from '../../core/display/format';

/** The panel's thumbs buttons and the sidebar's set the same score. */
export const DEFAULT_THUMBS_NAME = THUMBS_SCORE.name;
export const THUMBS_UP = THUMBS_SCORE.up;
export const THUMBS_DOWN = THUMBS_SCORE.down;
const NAME_MAX = 100;

/** Reads `spanscope.scores`; keeps the valid entries and says what is wrong with the others. */
export function parseScoreDefinitions(raw: unknown): { definitions: ScoreDefinition[]; problems: string[] } {
  const definitions: ScoreDefinition[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { definitions, problems };
  if (!Array.isArray(raw)) return { definitions, problems: ['spanscope.scores must be a list of score definitions'] };
  const seen = new Set<string>();
  raw.forEach((entry, i) => {
    const where = `spanscope.scores[${i}]`;
    if (typeof entry !== 'object' || entry === null) return problems.push(`${where} is not an object`);
    const { name, min, max, categories } = entry as Record<string, unknown>;
    const nameProblem = typeof name === 'string' ? validateScoreName(name) : 'a name is required';
    if (nameProblem) return problems.push(`${where}: ${nameProblem}`);
    const n = (name as string).trim();
    if (seen.has(n)) return problems.push(`${where}: "${n}" is defined twice`);
    const def: ScoreDefinition = { name: n };
    if (categories !== undefined) {
      if (typeof categories !== 'object' || categories === null || Array.isArray(categories))
        return problems.push(`${where}: categories must map names to numbers`);
      const entries = Object.entries(categories);
      if (!entries.length || entries.some(([, v]) => typeof v !== 'number' || !Number.isFinite(v)))
        return problems.push(`${where}: categories must map names to numbers`);
      def.categories = Object.fromEntries(entries) as Record<string, number>;
    } else {
      if (min !== undefined && (typeof min !== 'number' || !Number.isFinite(min)))
        return problems.push(`${where}: min must be a number`);
      if (max !== undefined && (typeof max !== 'number' || !Number.isFinite(max)))
        return problems.push(`${where}: max must be a number`);
      if (typeof min === 'number' && typeof max === 'number' && min > max)
        return problems.push(`${where}: min is above max`);
      if (typeof min === 'number') def.min = min;
      if (typeof max === 'number') def.max = max;
    }
    seen.add(n);
    definitions.push(def);
  });
  return { definitions, problems };
}

export function validateScoreName(name: string): string | undefined {
  const n = name.trim();
  if (!n) return 'a score name can not be empty';
  if (n.length > NAME_MAX) return `a score name has at most ${NAME_MAX} characters`;
  if (/[\u0000-\u001f]/.test(n)) return 'a score name can not contain control characters';
  return undefined;
}

/** "from 0 to 1", "at least 0", "good (1) · ok (0.5) · bad (0)", or "any number". */
export function describeDefinition(def: ScoreDefinition): string {
  if (def.categories)
    return Object.entries(def.categories)
      .map(([k, v]) => `${k} (${formatScore(v)})`)
      .join(' · ');
  if (def.min !== undefined && def.max !== undefined) return `from ${formatScore(def.min)} to ${formatScore(def.max)}`;
  if (def.min !== undefined) return `at least ${formatScore(def.min)}`;
  if (def.max !== undefined) return `at most ${formatScore(def.max)}`;
  return 'any number';
}

/** The error to show under the input box, or undefined when `text` is a valid value. */
export function validateScoreValue(text: string, def: ScoreDefinition | undefined): string | undefined {
  const t = text.trim();
  if (!t) return 'Type a number';
  const value = Number(t);
  if (!Number.isFinite(value)) return `"${t}" is not a number`;
  if (def?.min !== undefined && value < def.min) return `${def.name} is ${describeDefinition(def)}`;
  if (def?.max !== undefined && value > def.max) return `${def.name} is ${describeDefinition(def)}`;
  return undefined;
}

export function parseScoreValue(text: string): number {
  return Number(text.trim());
}

/**
 * A thumbs click: sets the person's score of that name, or, when the same thumb is already
 * given, takes it back, as thumbs buttons do elsewhere.
 */
export function thumbsPatch(
  target: { target: 'trace' | 'span'; id: string; trace_id?: string },
  value: typeof THUMBS_UP | typeof THUMBS_DOWN,
  thumbsName: string,
  existing: FeedbackScore[] | undefined,
): ScorePatch {
  const mine = existing?.find((s) => s.name === thumbsName && s.source === 'ui');
  const patch: ScorePatch = { ...target, name: thumbsName, value: mine?.value === value ? null : value, source: 'ui' };
  return patch;
}

/** The definitions offered in "Score…": the settings' ones, plus the thumbs score if not among them. */
export function offeredDefinitions(defs: ScoreDefinition[], thumbsName: string): ScoreDefinition[] {
  if (defs.some((d) => d.name === thumbsName)) return defs;
  return [...defs, { name: thumbsName, categories: { '👍 up': THUMBS_UP, '👎 down': THUMBS_DOWN } }];
}

/** The title of the "Score…" steps: what is being scored, so a score is never given blind. */
export function scoreTitle(targets: readonly { kind: 'trace' | 'span'; name?: string }[]): string {
  if (targets.length !== 1) return `Score ${targets.length} items`;
  const [t] = targets;
  const name = t.name?.trim()
    ? ` “${t.name.trim().length > 60 ? `${t.name.trim().slice(0, 59)}…` : t.name.trim()}”`
    : '';
  return `Score ${t.kind}${name}`;
}
