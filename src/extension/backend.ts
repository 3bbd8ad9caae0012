// The collector and the store, as a bundle of their own (dist/backend.js). The extension
// loads it only when the collector starts, after activation has returned: VS Code counts the
// time to load the main bundle as activation time, and this half is most of the code.

export { openStore } from '../store/traceStore';
export { startCollector } from '../collector/server';
export { functionIndexOf } from '../collector/functionIndexes';
