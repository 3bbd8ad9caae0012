// Scoring from the sidebar: thumbs up/down inline on a trace or span, and "Score…", which asks
// for a score name (from `spanscope.scores`, or typed), a value (checked against the range, or
// picked from the categories) and an optional reason. Scores are a person's: source `ui`.

import * as vscode from 'vscode';
import type { ScorePatch } from '../../core/model/model';
import type { ScoreDefinition } from '../../shared/protocol';
import type { CollectorService } from '../collector/collectorService';
import { Commands } from '../constants';
import { formatScore } from '../../core/display/format';
import type { SettingsWatcher } from '../settingsWatcher';
import { resolveTargets, scoresOf, type Target } from '../commands/targets';
import type { TreeNode } from '../tree/tracesTreeModel';
import type { TracesView } from '../tree/tracesView';
import {
  describeDefinition,
  offeredDefinitions,
  parseScoreValue,
  scoreTitle,
  thumbsPatch,
  THUMBS_DOWN,
  THUMBS_UP,
  validateScoreName,
  validateScoreValue,
} from './scoreInput';

export function registerScoring(
  service: CollectorService,
  view: TracesView,
  settings: SettingsWatcher,
): vscode.Disposable[] {
  const thumbs = (value: typeof THUMBS_UP | typeof THUMBS_DOWN) => async (node?: TreeNode, nodes?: TreeNode[]) => {
    const store = await service.getStore();
    const patches = (await resolveTargets(view, store, node, nodes, 'Which trace?')).map((t) =>
      thumbsPatch(scoreTarget(t), value, settings.current.thumbsName, scoresOf(store, t)),
    );
    if (patches.length) store.apply(patches.map((score) => ({ kind: 'score', score })));
  };

  return [
    vscode.commands.registerCommand(Commands.thumbsUp, thumbs(THUMBS_UP)),
    vscode.commands.registerCommand(Commands.thumbsDown, thumbs(THUMBS_DOWN)),
    vscode.commands.registerCommand(Commands.score, async (node?: TreeNode, nodes?: TreeNode[]) => {
      const store = await service.getStore();
      const targets = await resolveTargets(view, store, node, nodes, 'Score which trace?');
      if (!targets.length) return;
      const s = settings.current;
      const named = targets.map((t) => ({
        kind: t.kind,
        name: t.kind === 'span' ? t.span?.name : store.getSummary(t.traceId)?.name,
      }));
      const input = await askScore(offeredDefinitions(s.scores, s.thumbsName), scoreTitle(named));
      if (!input) return;
      store.apply(targets.map((t) => ({ kind: 'score', score: { ...scoreTarget(t), ...input, source: 'ui' } })));
      vscode.window.setStatusBarMessage(`$(check) Spanscope: ${input.name} = ${formatScore(input.value)}`, 3000);
    }),
  ];
}

function scoreTarget(t: Target): Pick<ScorePatch, 'target' | 'id' | 'trace_id'> {
  return t.kind === 'trace'
    ? { target: 'trace', id: t.traceId }
    : { target: 'span', id: t.spanId, trace_id: t.traceId };
}

type ScoreInput = { name: string; value: number; reason?: string; category_name?: string };

async function askScore(defs: ScoreDefinition[], title: string): Promise<ScoreInput | undefined> {
  const def = await askDefinition(defs, title);
  if (!def) return undefined;
  let value: number;
  let category: string | undefined;
  if (def.categories) {
    const picked = await vscode.window.showQuickPick(
      Object.entries(def.categories).map(([label, v]) => ({ label, description: formatScore(v), v })),
      { title: `${title}: ${def.name}`, placeHolder: 'Pick a value' },
    );
    if (!picked) return undefined;
    value = picked.v;
    category = picked.label;
  } else {
    const text = await vscode.window.showInputBox({
      title: `${title}: ${def.name}`,
      prompt: `A number ${describeDefinition(def)}`,
      placeHolder:
        def.min !== undefined && def.max !== undefined
          ? `${formatScore(def.min)} – ${formatScore(def.max)}`
          : 'e.g. 0.8',
      validateInput: (t) => validateScoreValue(t, def),
    });
    if (text === undefined) return undefined;
    value = parseScoreValue(text);
  }
  const reason = await vscode.window.showInputBox({
    title: `${title}: ${def.name} = ${category ?? formatScore(value)}`,
    prompt: 'Reason (optional) — press Enter to skip',
  });
  if (reason === undefined) return undefined;
  const out: ScoreInput = { name: def.name, value };
  if (reason.trim()) out.reason = reason.trim();
  if (category) out.category_name = category;
  return out;
}

/** A quick pick of the defined names that also takes a new name typed into it. */
function askDefinition(defs: ScoreDefinition[], title: string): Promise<ScoreDefinition | undefined> {
  type Item = vscode.QuickPickItem & { def: ScoreDefinition };
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = title;
  qp.placeholder = 'Pick a score name, or type a new one';
  const fixed: Item[] = defs.map((d) => ({ label: d.name, description: describeDefinition(d), def: d }));
  qp.items = fixed;
  qp.onDidChangeValue((v) => {
    const name = v.trim();
    const known = fixed.some((i) => i.label === name);
    qp.items =
      !name || known || validateScoreName(name)
        ? fixed
        : [...fixed, { label: name, description: 'new score name · any number', alwaysShow: true, def: { name } }];
  });
  return new Promise((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems[0]?.def);
      qp.dispose();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
