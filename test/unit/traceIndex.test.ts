import { describe, expect, it } from 'vitest';
import type { TraceSummary } from '../../src/core/model/model';
import { SEGMENT_SIZE, TraceIndex } from '../../src/store/traceIndex';
import { at } from '../support/builders';

const summary = (id: string, startMs: number): TraceSummary => ({
  id,
  project_name: 'p',
  name: id,
  start_time: at(startMs),
  status: 'ok',
  duration_ms: 1,
  span_count: 0,
  error_count: 0,
  usage: {},
  score_averages: {},
  last_updated_at: at(0),
});

describe('trace index', () => {
  it('lists traces by arrival, those from before arrival was kept first by where their events are', () => {
    const index = new TraceIndex();
    index.put('late', summary('late', 0), undefined, 9);
    index.put('early', summary('early', 500), undefined, 2);
    index.put('old-b', summary('old-b', 1));
    index.setExtents('old-b', [[1, 900, 950]]);
    index.put('old-a', summary('old-a', 2));
    index.setExtents('old-a', [[1, 30, 80]]);
    expect(index.byArrival()).toEqual(['old-a', 'old-b', 'early', 'late']);
    index.put('early', summary('early', 600), undefined, 50); // an update keeps the arrival
    expect(index.byArrival()).toEqual(['old-a', 'old-b', 'early', 'late']);
  });

  it(`puts new traces in the newest segment, ${SEGMENT_SIZE} to a segment, and marks only touched segments`, () => {
    const index = new TraceIndex();
    for (let i = 0; i < SEGMENT_SIZE + 1; i++) index.put(`t${i}`, summary(`t${i}`, i));
    expect(index.get('t0')!.segment).toBe(1);
    expect(index.get(`t${SEGMENT_SIZE}`)!.segment).toBe(2);
    index.dirtySegments.clear();
    index.put('t3', summary('t3', 3));
    expect([...index.dirtySegments]).toEqual([1]);
  });

  it('writes a segment as the same JSON as stringifying its data, also after its traces change', () => {
    const index = new TraceIndex();
    const same = (segment: number) =>
      expect(index.segmentJson(segment, [9, 2])?.toString()).toBe(JSON.stringify(index.segmentData(segment, [9, 2])));
    for (let i = 0; i < 5; i++) index.put(`t${i}`, summary(`t${i}`, i), i % 2 ? `text "${i}"\n` : undefined);
    index.addExtent('t1', 1, 0, 10);
    same(1);
    index.addExtent('t1', 1, 20, 30); // grows the extent in place
    index.addExtent('t2', 2, 0, 5);
    same(1);
    index.put('t3', { ...summary('t3', 3), name: 'renamed' }, 'new text');
    index.put('t4', summary('t4', 4)); // no search text given: the old one stays
    same(1);
    index.setExtents('t2', [[3, 0, 7]]);
    index.remove('t0');
    index.tombstone('t0', 5, [1], 1, 2);
    same(1);
    index.remove('t1');
    index.remove('t2');
    index.remove('t3');
    index.remove('t4');
    same(1); // tombstones only
    index.pruneTombstones(
      () => false,
      () => {},
    );
    expect(index.segmentJson(1, [9, 2])).toBeUndefined();
    expect(index.segmentJson(7, [9, 2])).toBeUndefined();
  });

  it('writes a segment with ids that are keys JSON orders or drops specially as stringifying its data does', () => {
    const index = new TraceIndex();
    for (const id of ['b', '12', 'a', '3', '__proto__', '007']) index.put(id, summary(id, 1), `s-${id}`);
    expect(index.segmentJson(1, [1, 1])?.toString()).toBe(JSON.stringify(index.segmentData(1, [1, 1])));
  });
});
