// Old traces read back as they did: the golden store (test/fixtures/store-v3, made by the
// collector from requests on every ingest route: native, Opik, OTLP with gen_ai and
// OpenInference attributes, Braintrust rows with merges and feedback, scores, updates, a
// deletion, the depth and length markers, unicode) is opened from a copy and read through
// the read API; the answers must equal test/fixtures/store-v3/readApi.json. A normaliser, entry
// format or index change that alters how stored traces read fails here. To change the
// answers on purpose, regenerate and review the diff (test/fixtures/storeGolden.ts says how).
// Beside it, storeDamage.test.ts reads test/fixtures/store-v2, the format before checksums.

import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { openStore } from '../../src/store/traceStore';
import { GOLDEN_DIR, type ReadApiSnapshot, SNAPSHOT_FILE, readApi } from '../fixtures/storeGolden';
import { traceBatch } from '../support/builders';
import { tempDir } from '../support/collector';

const expected = (): ReadApiSnapshot => JSON.parse(readFileSync(join(GOLDEN_DIR, SNAPSHOT_FILE), 'utf8'));

function copyOfGolden(): string {
  const dir = tempDir('spanscope-golden-');
  cpSync(GOLDEN_DIR, dir, { recursive: true, filter: (src) => !src.endsWith(SNAPSHOT_FILE) });
  return dir;
}

describe('the golden store (test/fixtures/store-v3)', () => {
  it('holds what it is there to hold: every entry format, checksummed entries and segments', () => {
    const pack = readFileSync(join(GOLDEN_DIR, 'packs', 'pack-000001.json'), 'utf8');
    const formats = new Set([...pack.matchAll(/"head":\{[^}]*\},"(\w+)":/g)].map((m) => m[1]));
    expect([...formats].sort()).toEqual(['deleted', 'native', 'opik_spans', 'opik_traces', 'patches']);
    expect(pack).toMatch(/"lens":"\d{10},\d{10},[0-9a-f]{8}"/);
    expect(readFileSync(join(GOLDEN_DIR, 'index', 'seg-000001.json'), 'utf8')).toMatch(
      /^\{"version":3,"crc32":"[0-9a-f]{8}","segment":/,
    );
    const snapshot = expected();
    expect(snapshot.traces.length).toBeGreaterThanOrEqual(7);
    expect(snapshot.deletedStatus).toBe(404);
  });

  it('reads back through the read API exactly as readApi.json says, without a warning', async () => {
    const warnings: string[] = [];
    const got = await readApi(copyOfGolden(), warnings);
    expect(warnings).toEqual([]);
    expect(got).toEqual(expected());
  });

  it('reads the same after new traces are written beside the old ones', async () => {
    const dir = copyOfGolden();
    const store = await openStore({ dir, warn: () => undefined });
    const result = normaliseNativeBatch(traceBatch('new-after-golden', 2));
    if (!result.ok) throw new Error(result.error);
    store.apply(result.patches);
    await store.close();
    const got = await readApi(dir);
    const { 'new-after-golden': added, ...old } = got.details;
    expect(added).toBeDefined();
    expect(old).toEqual(expected().details);
    expect(got.traces.filter((t) => (t as { id: string }).id !== 'new-after-golden')).toEqual(expected().traces);
  });
});
