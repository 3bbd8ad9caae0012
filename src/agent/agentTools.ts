// Running an agent tool by name, for both hosts (the VS Code tools and `spanscope mcp`):
// arguments are checked against the tool's schema, the handler reads through the host's
// TraceReader, and every outcome is text within RESULT_CAP: a result, or an error an agent can
// act on (a bad argument, an unknown id, no collector). Nothing a caller sends throws out.

import { RESULT_CAP } from './clip';
import { compareTraces } from './compareTraces';
import { functionStats } from './functionStats';
import { checkArguments } from './jsonSchema';
import { searchSpans } from './searchSpans';
import { AGENT_TOOL_DEFINITIONS, type AgentToolDefinition } from './toolDefinitions';
import { ToolError, type TraceReader } from './traceReader';
import type { Args } from './toolArgs';
import { getSpan, getTrace, listTraces } from './traceTools';

type Handler = (args: Args, reader: TraceReader) => Promise<string>;

/** By tool name. */
const HANDLERS: Record<string, Handler> = {
  list_traces: listTraces,
  get_trace: getTrace,
  get_span: getSpan,
  search_spans: searchSpans,
  function_stats: functionStats,
  compare_traces: compareTraces,
};

export interface ToolOutcome {
  text: string;
  isError: boolean;
}

export function findTool(name: string): AgentToolDefinition | undefined {
  return AGENT_TOOL_DEFINITIONS.find((t) => t.name === name);
}

/** `onUnexpected` hears failures that are not the caller's (a bug, a broken store), for the host's log. */
export async function runAgentTool(
  name: string,
  args: unknown,
  reader: TraceReader,
  onUnexpected?: (err: unknown) => void,
): Promise<ToolOutcome> {
  const tool = findTool(name);
  if (!tool || !Object.hasOwn(HANDLERS, name))
    return error(`unknown tool "${name}"; the tools are ${AGENT_TOOL_DEFINITIONS.map((t) => t.name).join(', ')}`);
  const problems = checkArguments(tool.inputSchema, args);
  if (problems.length) return error(`invalid arguments for ${name}: ${problems.join('; ')}`);
  try {
    return { text: capped(await HANDLERS[name]((args ?? {}) as Args, reader)), isError: false };
  } catch (err) {
    if (err instanceof ToolError) return error(err.message);
    onUnexpected?.(err);
    return error(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function error(message: string): ToolOutcome {
  return { text: capped(message), isError: true };
}

/** The last guard of the size promise: handlers fit their results, this catches what they could not. */
function capped(text: string): string {
  if (text.length <= RESULT_CAP) return text;
  const marker = `…[result cut at ${RESULT_CAP} characters]`;
  return text.slice(0, RESULT_CAP - marker.length) + marker;
}
