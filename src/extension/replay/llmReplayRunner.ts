// Replay LLM Call: an llm span's request opened as an editable JSON document; Run (a CodeLens
// on it, or the command) sends it through the collector's AI proxy under the original span
// (`x-spanscope-parent`), so the reply is recorded as a span linked to it, then opens the diff
// of the original answer and the new one. A streamed reply shows in a progress notification
// as it arrives; a reply from the proxy's cache says so. The API key comes from the
// environment or VS Code's SecretStorage (asked once); it goes to the proxy as the request's
// Authorization and nowhere else: never to a file, a setting or a span.

import * as vscode from 'vscode';
import {
  isReplayableLlm,
  parseReplayDocument,
  REPLAY_DOC_MARK,
  replayDocument,
  streamDelta,
  type ReplayRequest,
} from '../../core/replay/llmReplay';
import type { TraceStoreApi } from '../../store/types';
import { Commands } from '../constants';
import { openDiff } from '../editor/spanDiff';
import type { SpanPick } from './spanTarget';

const KEY_SECRET = 'spanscope.openaiApiKey';

export interface LlmReplayDeps {
  secrets: vscode.SecretStorage;
  store(): Promise<TraceStoreApi>;
  collectorUrl(): string | undefined;
}

export async function openLlmReplay({ span }: SpanPick): Promise<void> {
  if (!isReplayableLlm(span))
    return void vscode.window.showWarningMessage(
      `Replay LLM Call works on llm spans whose input is a list of chat messages; ${span.name} is a ${span.type} span${span.type === 'llm' ? ' with another input' : ''}.`,
    );
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content: replayDocument(span) });
  await vscode.window.showTextDocument(doc, { preview: false });
}

/** The Run lens on replay documents. */
export function registerReplayLens(): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(
    { language: 'json' },
    {
      provideCodeLenses(document) {
        if (!document.getText(new vscode.Range(0, 0, 3, 0)).includes(REPLAY_DOC_MARK)) return [];
        return [
          new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
            title: '$(play) Run through the Spanscope AI proxy',
            command: Commands.runLlmReplay,
            arguments: [document.uri],
          }),
        ];
      },
    },
  );
}

export async function runLlmReplay(d: LlmReplayDeps, uri?: vscode.Uri): Promise<void> {
  const document = uri
    ? vscode.workspace.textDocuments.find((t) => t.uri.toString() === uri.toString())
    : vscode.window.activeTextEditor?.document;
  if (!document)
    return void vscode.window.showInformationMessage(
      'Open a replay document first: "Replay LLM Call" on an llm span makes one.',
    );
  const request = parseReplayDocument(document.getText());
  if (typeof request === 'string') return void vscode.window.showWarningMessage(request);
  const url = d.collectorUrl();
  if (!url)
    return void vscode.window.showWarningMessage(
      'Replaying an LLM call needs the Spanscope collector (its AI proxy) running: start it with "Spanscope: Restart Collector".',
    );
  const store = await d.store();
  const original = (await store.getTrace(request.replayOf.trace_id))?.spans.find(
    (s) => s.id === request.replayOf.span_id,
  );
  if (!original)
    return void vscode.window.showWarningMessage(
      'The span this document replays is no longer stored, so the reply would have nothing to be compared with.',
    );
  // In replay mode the call never leaves the proxy: no key needed.
  const key = request.cache === 'replay' ? 'spanscope-replay' : await apiKey(d.secrets);
  if (!key) return;
  const sentAt = new Date(Date.now() - 1000).toISOString();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Replaying ${original.name}`, cancellable: true },
    (progress, token) => send(url, request, key, (text) => progress.report({ message: tail(text) }), token),
  );
  if (result.error) return void vscode.window.showErrorMessage(`The replay failed: ${result.error}`);
  const replay = await findReplaySpan(store, request.replayOf.trace_id, request.replayOf.span_id, sentAt);
  if (!replay)
    return void vscode.window.showWarningMessage(
      'The proxy answered, but its span did not reach the store; the answer was: ' + tail(result.text),
    );
  const cached = result.cached ? ' (cached reply)' : '';
  await openDiff(
    { traceId: original.trace_id, spanId: original.id, label: `${original.name} (recorded)` },
    { traceId: original.trace_id, spanId: replay, label: `${original.name} (replay)` },
    `${original.name}: recorded ↔ replay${cached}`,
  );
  if (result.cached)
    vscode.window.setStatusBarMessage("$(database) The replay was answered from the AI proxy's cache", 5000);
}

async function apiKey(secrets: vscode.SecretStorage): Promise<string | undefined> {
  const fromEnv = process.env.OPENAI_API_KEY;
  if (fromEnv) return fromEnv;
  const stored = await secrets.get(KEY_SECRET);
  if (stored) return stored;
  const typed = await vscode.window.showInputBox({
    title: 'API key for the upstream provider',
    prompt:
      "Sent to the AI proxy as the Authorization of replayed calls; kept in VS Code's secret storage, never in a file or a span.",
    password: true,
    ignoreFocusOut: true,
  });
  if (typed) await secrets.store(KEY_SECRET, typed);
  return typed || undefined;
}

interface SendResult {
  text: string;
  cached: boolean;
  error?: string;
}

async function send(
  url: string,
  request: ReplayRequest,
  key: string,
  onText: (text: string) => void,
  token: vscode.CancellationToken,
): Promise<SendResult> {
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  try {
    const res = await fetch(`${url}/v1/proxy/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'x-spanscope-parent': request.replayOf.span_id,
        'x-spanscope-cache': request.cache,
      },
      body: JSON.stringify(request.body),
      signal: abort.signal,
    });
    const cached = res.headers.get('x-spanscope-cached') === 'HIT';
    if (!res.ok) {
      const body = await res.text();
      let message = body;
      try {
        message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? body;
      } catch {
        // Not JSON: the text itself.
      }
      return { text: '', cached, error: `${res.status} ${message}` };
    }
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream') || !res.body) {
      const json = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
      const text = String(json.choices?.[0]?.message?.content ?? '');
      onText(text);
      return { text, cached };
    }
    let text = '';
    let pending = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      const events = pending.split(/\r?\n\r?\n/);
      pending = events.pop() ?? '';
      for (const event of events) {
        for (const line of event.split(/\r?\n/))
          if (line.startsWith('data:') && line.slice(5).trim() !== '[DONE]') text += streamDelta(line.slice(5).trim());
      }
      onText(text);
    }
    return { text, cached };
  } catch (err) {
    return { text: '', cached: false, error: token.isCancellationRequested ? 'cancelled' : (err as Error).message };
  } finally {
    sub.dispose();
  }
}

/** The proxy's span for the replay: the newest llm child of the original span. */
async function findReplaySpan(
  store: TraceStoreApi,
  traceId: string,
  spanId: string,
  since: string,
): Promise<string | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const detail = await store.getTrace(traceId);
    const found = detail?.spans
      .filter((s) => s.parent_span_id === spanId && s.type === 'llm' && s.end_time && s.start_time >= since)
      .sort((a, b) => b.start_time.localeCompare(a.start_time))[0];
    if (found) return found.id;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

function tail(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `…${flat.slice(-120)}` : flat;
}
