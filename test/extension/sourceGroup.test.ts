import { describe, expect, it } from 'vitest';
import { RecentGroups, sourceTarget, type GroupView } from '../../src/extension/source/sourceGroup';

const group = (name: string, fields: Partial<GroupView<string>> = {}): GroupView<string> => ({
  group: name,
  hasPanel: false,
  showsFile: false,
  ...fields,
});

describe('where a jump to source opens its file', () => {
  it('splits beside the panel only when the panel is the only group', () => {
    expect(sourceTarget([group('panel', { hasPanel: true })], [])).toBe('split');
  });

  it('reuses the group beside the panel instead of splitting again', () => {
    expect(sourceTarget([group('panel', { hasPanel: true }), group('editor')], ['panel'])).toEqual({ group: 'editor' });
  });

  it('prefers the group that already shows the file', () => {
    const groups = [group('a'), group('panel', { hasPanel: true }), group('b', { showsFile: true })];
    expect(sourceTarget(groups, ['a'])).toEqual({ group: 'b' });
  });

  it('never opens over the panel, even where the panel’s group also shows the file', () => {
    const groups = [group('panel', { hasPanel: true, showsFile: true }), group('other')];
    expect(sourceTarget(groups, ['panel'])).toEqual({ group: 'other' });
    expect(sourceTarget([group('panel', { hasPanel: true, showsFile: true })], [])).toBe('split');
  });

  it('otherwise takes the group used most recently, else the first', () => {
    const groups = [group('a'), group('panel', { hasPanel: true }), group('b')];
    expect(sourceTarget(groups, ['panel', 'b', 'a'])).toEqual({ group: 'b' });
    expect(sourceTarget(groups, ['gone'])).toEqual({ group: 'a' });
  });

  it('opens in the active group when the panel is not open', () => {
    expect(sourceTarget([group('a'), group('b')], ['b'])).toBe('active');
  });
});

describe('the most recently active groups', () => {
  it('lists groups most recent first, once each, and forgets closed ones', () => {
    const recent = new RecentGroups<string>(3);
    for (const g of ['a', 'b', 'a', 'c', undefined, 'd']) recent.noteActive(g);
    expect(recent.list(['a', 'b', 'c', 'd'])).toEqual(['d', 'c', 'a']);
    expect(recent.list(['a', 'd'])).toEqual(['d', 'a']);
  });
});
