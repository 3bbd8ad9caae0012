// The collector and the store, as a bundle of their own (dist/backend.js). The extension
// loads it only when the collector starts, after activation has returned: VS Code counts the
// time to load the main bundle as activation time, and this half is most of the code. The
// agent tools' handlers are here too, loaded when a language-model tool first runs.

export { openStore } from '../store/traceStore';
export { startCollector } from '../collector/server';
export { runAgentTool } from '../agent/agentTools';
export { inProcessReader } from '../agent/storeTraceReader';
export { functionIndexOf } from '../collector/functionIndexes';
