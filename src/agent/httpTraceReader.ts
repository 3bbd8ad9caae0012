// The agent tools' TraceReader over a running collector's read API (docs/protocol.md): what
// `spanscope mcp` uses by default. Every way the collector can be missing or refuse (nothing
// listening, a wrong token, a bad filter) becomes a ToolError that says what to do.

import type { TraceDetail } from '../core/model/model';
import { type FunctionStats, ToolError, type TraceListQuery, type TracePage, type TraceReader } from './traceReader';

const TIMEOUT_MS = 30_000;

export class HttpTraceReader implements TraceReader {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  async queryTraces(q: TraceListQuery): Promise<TracePage> {
    const params = new URLSearchParams({ filter: q.filter, offset: String(q.offset), limit: String(q.limit) });
    if (q.project !== undefined) params.set('project', q.project);
    if (q.sort !== undefined) params.set('sort', q.sort);
    if (q.order !== undefined) params.set('order', q.order);
    const reply = await this.get(`/api/query?${params}`);
    const body = (await this.json(reply)) as TracePage;
    return { traces: body.traces, total: body.total };
  }

  async getTrace(id: string): Promise<TraceDetail | undefined> {
    const reply = await this.get(`/api/traces/${encodeURIComponent(id)}`);
    if (reply.status === 404) return undefined;
    return (await this.json(reply)) as TraceDetail;
  }

  async functions(file: string | undefined): Promise<FunctionStats[] | undefined> {
    const reply = await this.get(
      file === undefined ? '/api/functions' : `/api/functions?file=${encodeURIComponent(file)}`,
    );
    if (reply.status === 404) return undefined; // a collector without the function index
    const body = (await this.json(reply)) as { functions?: unknown };
    if (!Array.isArray(body.functions))
      throw new ToolError("the collector's function index answered without a functions list");
    return body.functions as FunctionStats[];
  }

  /** Whether a collector answers at the URL and takes the token; a sentence saying what is wrong when not. */
  async problem(): Promise<string | undefined> {
    try {
      const reply = await this.get('/api/projects');
      if (!reply.ok) await this.json(reply);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private async get(path: string): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    try {
      return await fetch(this.base + path, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError')
        throw new ToolError(`the Spanscope collector at ${this.base} did not answer within ${TIMEOUT_MS / 1000} s`);
      throw new ToolError(
        `no Spanscope collector is answering at ${this.base} (${e.cause?.code ?? e.cause?.message ?? e.message}). Start one (open VS Code with the Spanscope extension, or run \`spanscope serve\`), point --url or SPANSCOPE_URL at it, or read a store folder with \`spanscope mcp --data DIR\`.`,
      );
    }
  }

  private async json(reply: Response): Promise<unknown> {
    const text = await reply.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ToolError(`the server at ${this.base} is not a Spanscope collector (HTTP ${reply.status}, not JSON)`);
    }
    if (reply.ok) return body;
    const message =
      typeof (body as { error?: unknown })?.error === 'string'
        ? (body as { error: string }).error
        : `HTTP ${reply.status}`;
    if (reply.status === 401) {
      throw new ToolError(
        `the collector at ${this.base} refused the token (${message}): pass the token it printed with --token or SPANSCOPE_TOKEN`,
      );
    }
    throw new ToolError(message);
  }
}
