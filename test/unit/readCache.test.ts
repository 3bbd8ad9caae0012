import { describe, expect, it } from 'vitest';
import type { TraceDetail } from '../../src/core/model/model';
import { ReadCache } from '../../src/store/readCache';

function detail(id: string): TraceDetail {
  return {
    trace: { id, name: id } as TraceDetail['trace'],
    spans: [{ id: `${id}-s`, metadata: { k: [1] } } as unknown as TraceDetail['spans'][number]],
  };
}

describe('the cache of traces read whole', () => {
  it('keeps the most recently read traces within its count and bytes, and drops on demand', () => {
    const cache = new ReadCache({ traces: 2, bytes: 100 });
    cache.put('a', detail('a'), 10);
    cache.put('b', detail('b'), 10);
    expect(cache.get('a')?.trace.id).toBe('a'); // now the most recently read
    cache.put('c', detail('c'), 10);
    expect([cache.get('a')?.trace.id, cache.get('b'), cache.get('c')?.trace.id]).toEqual(['a', undefined, 'c']);
    cache.put('d', detail('d'), 95); // over the bytes with any other: the others go
    expect([cache.get('a'), cache.get('c'), cache.get('d')?.trace.id]).toEqual([undefined, undefined, 'd']);
    cache.drop('d');
    expect(cache.size).toBe(0);
  });

  it('does not keep a trace bigger than all it may hold, and hands it back unfrozen', () => {
    const cache = new ReadCache({ traces: 2, bytes: 100 });
    cache.put('a', detail('a'), 10);
    const big = cache.put('big', detail('big'), 101);
    expect(Object.isFrozen(big.spans[0].metadata)).toBe(false);
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('a')?.trace.id).toBe('a');
  });

  it('hands out copies that can be changed, over values that can not', () => {
    const cache = new ReadCache();
    const mine = cache.put('a', detail('a'), 10);
    mine.spans[0].name = 'mine';
    mine.spans.length = 0;
    const next = cache.get('a')!;
    expect(next.spans).toHaveLength(1);
    expect(next.spans[0].name).toBeUndefined();
    expect(() => (next.spans[0].metadata!.k as number[]).push(2)).toThrow(TypeError);
  });

  it('serialises a kept trace once, as the read API sends it, and weighs it on the byte limit', () => {
    const cache = new ReadCache({ traces: 4, bytes: 1000 });
    cache.put('a', detail('a'), 10);
    const json = cache.json('a')!;
    expect(json.toString()).toBe(JSON.stringify(cache.get('a')));
    expect(cache.json('a')).toBe(json); // made once
    expect(cache.json('missing')).toBeUndefined();
    cache.put('b', detail('b'), 1000 - 10 - json.length); // just fits beside a's bytes and JSON
    expect(cache.size).toBe(2);
    cache.put('c', detail('c'), 1); // one byte over: a, least recently read, goes with its JSON
    expect([cache.get('a'), cache.json('a'), cache.get('b')?.trace.id, cache.get('c')?.trace.id]).toEqual([
      undefined,
      undefined,
      'b',
      'c',
    ]);
    cache.drop('b');
    cache.drop('c');
    expect(cache.size).toBe(0);
  });

  it('serialises without keeping the JSON of a trace too big to keep it beside', () => {
    const cache = new ReadCache({ traces: 4, bytes: 60 });
    cache.put('a', detail('a'), 50);
    const json = cache.json('a')!;
    expect(json.length).toBeGreaterThan(10);
    expect(cache.json('a')).not.toBe(json); // made again, not kept
    expect(cache.get('a')?.trace.id).toBe('a');
  });
});
