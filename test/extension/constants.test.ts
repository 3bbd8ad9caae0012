// package.json's contributions and the constants the code uses must name the same things: a
// renamed command would otherwise leave a menu entry that does nothing.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Commands,
  ContextKeys,
  EXTENSION_ID,
  PANEL_VIEW_TYPE,
  Settings,
  TreeItemContext,
  ViewContainers,
  Views,
} from '../../src/extension/constants';
import { DEFAULTS } from '../../src/extension/settings';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const values = (o: object) => Object.values(o) as string[];

describe('package.json contributions', () => {
  it('declares exactly the commands of Commands, each in the Spanscope category', () => {
    const declared = contributes.commands.map((c: { command: string }) => c.command).sort();
    expect(declared).toEqual(values(Commands).sort());
    for (const c of contributes.commands) expect(c.category, c.command).toBe('Spanscope');
  });

  it('puts only declared commands in menus', () => {
    const known = new Set(values(Commands));
    for (const [menu, items] of Object.entries(contributes.menus as Record<string, { command: string }[]>)) {
      for (const item of items) expect(known.has(item.command), `${menu}: ${item.command}`).toBe(true);
    }
  });

  it('uses only known context keys, views and item contexts in when clauses', () => {
    const known = new Set([...values(ContextKeys), ...values(Views), ...values(TreeItemContext)]);
    const clauses: string[] = [
      ...Object.values(contributes.menus as Record<string, { when?: string }[]>)
        .flat()
        .map((m) => m.when ?? ''),
      ...contributes.viewsWelcome.map((w: { when: string }) => w.when),
    ];
    for (const when of clauses) {
      for (const id of when.match(/spanscope\.[A-Za-z.]+[A-Za-z]/g) ?? [])
        expect(known.has(id), `${id} in "${when}"`).toBe(true);
      // Regexes like viewItem =~ /^spanscope\.(trace|span)$/ must match real item contexts.
      const re = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(when)?.[1];
      if (re)
        expect(
          values(TreeItemContext).some((v) => new RegExp(re).test(v)),
          re,
        ).toBe(true);
    }
  });

  it('offers Open Dataset on .jsonl files directly in a .spanscope/datasets folder, on any OS', () => {
    for (const menu of ['explorer/context', 'editor/title/context']) {
      const item = contributes.menus[menu].find((m: { command: string }) => m.command === Commands.openDataset);
      expect(item.when).toMatch(/^resourceExtname == \.jsonl && resourceDirname =~ \//);
      const dirname = new RegExp(/resourceDirname =~ \/(.+?)\/$/.exec(item.when)![1]);
      expect(['/ws/.spanscope/datasets', 'C:\\ws\\.spanscope\\datasets'].every((d) => dirname.test(d))).toBe(true);
      expect(
        ['/ws/.spanscope/datasets/old', '/ws/spanscope/datasets', '/ws/.spanscope'].some((d) => dirname.test(d)),
      ).toBe(false);
    }
  });

  it('declares the settings of Settings with the defaults the code assumes', () => {
    const props = contributes.configuration.properties;
    expect(Object.keys(props).sort()).toEqual(values(Settings).sort());
    for (const key of values(Settings)) expect(props[key].default, key).toEqual(DEFAULTS[key as keyof typeof DEFAULTS]);
  });

  it('declares the Spanscope container with the Traces view and an icon that exists', () => {
    const container = contributes.viewsContainers.activitybar.find(
      (c: { id: string }) => c.id === ViewContainers.spanscope,
    );
    expect(container).toBeDefined();
    expect(existsSync(join(root, container.icon))).toBe(true);
    expect(contributes.views[ViewContainers.spanscope].map((v: { id: string }) => v.id)).toEqual([Views.traces]);
  });

  it('activates on start-up, the panel serializer and links, never on *', () => {
    expect(pkg.activationEvents).toEqual(
      expect.arrayContaining(['onStartupFinished', `onWebviewPanel:${PANEL_VIEW_TYPE}`, 'onUri']),
    );
    expect(pkg.activationEvents).not.toContain('*');
  });

  it('has the id the URI handler and links use', () => {
    expect(`${pkg.publisher}.${pkg.name}`).toBe(EXTENSION_ID);
  });
});
