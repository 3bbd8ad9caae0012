import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/core/model/model';
import { LazySpans } from '../../src/store/applyBatch';

describe('the spans of a store change', () => {
  it('are built only for the traces read, once each, and behave as a Map', () => {
    const built: string[] = [];
    const make = (id: string) => {
      built.push(id);
      return [{ id: `${id}-span` } as Span];
    };
    const spans = new LazySpans(make, ['a', 'b', 'c']);
    expect([...spans.keys()]).toEqual(['a', 'b', 'c']);
    expect(spans.has('b') && spans.size === 3).toBe(true);
    expect(built).toEqual([]);
    expect(spans.get('b')![0].id).toBe('b-span');
    expect(spans.get('b')).toBe(spans.get('b'));
    expect(spans.get('zzz')).toBeUndefined();
    expect(built).toEqual(['b']);
    expect([...spans].map(([id, list]) => `${id}:${list[0].id}`)).toEqual(['a:a-span', 'b:b-span', 'c:c-span']);
    const seen: string[] = [];
    spans.forEach((list, id) => seen.push(`${id}=${list.length}`));
    expect(seen).toEqual(['a=1', 'b=1', 'c=1']);
    expect(built).toEqual(['b', 'a', 'c']);
  });
});
