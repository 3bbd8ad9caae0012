// Ingest without HTTP, in one process: CPU µs per span of the steps up to each mode —
// `bytes` (making the request bytes), `parse`, `normalise`, `apply` (flushing rarely: the
// cache grows, a worst case), `flush` (applying and flushing every 40 batches, as a busy
// collector does) — each mode with a fresh store. Less noisy than the HTTP benchmark for
// judging a change to the store or a normaliser. Not a benchmark run.mjs runs. Each tree is
// driven as its native route drives it: a store that keeps request bodies (a log, see
// docs/store.md) gets the body as its source; one that does not, the bytes for its spans.
//   node --import tsx bench/_ingestNoHttp.ts [modes, default bytes,parse,normalise,flush] [source tree, default ..]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[3] ?? join(__dirname, '..'));
async function main(): Promise<void> {
  const { nativeTraceBatch } = await import(`${root}/bench/ingest`);
  const { normaliseNativeBatch } = await import(`${root}/src/core/normalise/native`);
  const { openStore } = await import(`${root}/src/store/traceStore`);
  const keepsBodies = existsSync(join(root, 'src', 'store', 'logEntry.ts'));
  const modes = (process.argv[2] ?? 'bytes,parse,normalise,flush').split(',');
  const template: string = nativeTraceBatch('@@T@@');
  let next = 0;
  for (let round = 0; round < 3; round++) {
    for (const mode of modes) {
      const dir = mkdtempSync(join(tmpdir(), 'spanscope-apply-'));
      const store = await openStore({ dir, warn: () => {}, flushIntervalMs: 1e9 });
      const batches = 3000;
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < batches; i++) {
        const bytes = Buffer.from(template.replaceAll('@@T@@', `t-${next++}`));
        if (mode === 'bytes') continue;
        const body = JSON.parse(bytes.toString());
        if (mode === 'parse') continue;
        const result = keepsBodies ? normaliseNativeBatch(body) : normaliseNativeBatch(body, bytes);
        if (mode === 'normalise') continue;
        if (keepsBodies) store.apply(result.patches, { format: 'native', bytes });
        else store.apply(result.patches);
        if (i % 40 === 39) await (mode === 'flush' ? store.flush() : new Promise((r) => setImmediate(r)));
      }
      await store.flush();
      const cpu = process.cpuUsage(cpu0);
      console.log(`${mode.padEnd(10)} ${((cpu.user + cpu.system) / batches / 100).toFixed(2)} µs/span`);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
void main();
