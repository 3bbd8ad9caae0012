// Which editor group a source file opens in when the trace panel is open. Jumping from span to
// span must not split the editor area again each time (three jumps made three groups and
// squeezed the panel): reuse the group that already shows the file, else the group the user
// last worked in, and split only when the panel has the editor area to itself. Pure: a group
// is whatever the caller names groups by (vscode.TabGroup in the extension).

export interface GroupView<G> {
  group: G;
  /** The trace panel is one of this group's tabs: opening a file there would cover it. */
  hasPanel: boolean;
  /** One of this group's tabs is the file about to open. */
  showsFile: boolean;
}

/** `active`: no panel to keep in view, open where the user is; `split`: a new group beside the panel. */
export type SourceTarget<G> = { group: G } | 'split' | 'active';

/** `recent`: groups, most recently active first (groups no longer open are ignored). */
export function sourceTarget<G>(groups: readonly GroupView<G>[], recent: readonly G[]): SourceTarget<G> {
  if (!groups.some((g) => g.hasPanel)) return 'active';
  const others = groups.filter((g) => !g.hasPanel);
  if (!others.length) return 'split';
  const showing = others.find((g) => g.showsFile);
  if (showing) return { group: showing.group };
  for (const r of recent) {
    const match = others.find((g) => g.group === r);
    if (match) return { group: match.group };
  }
  return { group: others[0].group };
}

/** Groups in the order they were last active, most recent first; capped, as groups come and go. */
export class RecentGroups<G> {
  private order: G[] = [];

  constructor(private readonly max = 20) {}

  noteActive(group: G | undefined): void {
    if (group === undefined) return;
    this.order = [group, ...this.order.filter((g) => g !== group)].slice(0, this.max);
  }

  /** Most recent first, only those still `open`. */
  list(open: readonly G[]): G[] {
    this.order = this.order.filter((g) => open.includes(g));
    return [...this.order];
  }
}
