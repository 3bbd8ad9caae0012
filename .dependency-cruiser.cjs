// The layers' import rules (CONTRIBUTING.md), checked by `npm run check:imports` in `npm test`.
// Each rule is one arrow of the design: what a layer may not reach.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'An import cycle makes every module in it load (and change) with every other.', from: {}, to: { circular: true } },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'src/core is the model and its pure logic: nothing outside it (no packages either: it runs in the webview, the collector and the SDK tests alike).',
      from: { path: '^src/core/' },
      to: { pathNot: '^src/core/', dependencyTypesNot: ['core'] },
    },
    { name: 'core-no-node', severity: 'error', comment: 'src/core runs in the webview too.', from: { path: '^src/core/' }, to: { dependencyTypes: ['core'] } },
    { name: 'store-on-core', severity: 'error', comment: 'The store knows the model, not who serves it.', from: { path: '^src/store/' }, to: { path: '^(src/(collector|extension|shared)|webview)/' } },
    { name: 'collector-no-editor', severity: 'error', comment: 'The collector also runs as `spanscope serve`, with no VS Code.', from: { path: '^src/collector/' }, to: { path: '^(src/extension|webview)/' } },
    { name: 'agent-reads-only', severity: 'error', comment: 'The agent tools read through the store or the read API; they serve nothing and show nothing.', from: { path: '^src/agent/' }, to: { path: '^(src/(collector|extension|shared)|webview)/' } },
    { name: 'shared-types-only', severity: 'error', comment: 'The host↔webview protocol carries core types, never code.', from: { path: '^src/shared/' }, to: { path: '^src/(core|store|collector|extension)/', dependencyTypesNot: ['type-only'] } },
    { name: 'webview-not-host', severity: 'error', comment: 'The panel runs in a browser: src/shared and the pure core only.', from: { path: '^webview/' }, to: { path: '^src/(store|collector|extension)/' } },
    { name: 'webview-no-node', severity: 'error', from: { path: '^webview/' }, to: { dependencyTypes: ['core'] } },
    { name: 'extension-not-webview', severity: 'error', comment: 'The host talks to the panel through src/shared/protocol.ts only.', from: { path: '^src/extension/' }, to: { path: '^webview/' } },
    { name: 'only-extension-imports-vscode', severity: 'error', from: { pathNot: '^(src/extension|test)/' }, to: { path: '(^|/)(@types/)?vscode(/|$)' } },
    { name: 'models-are-pure', severity: 'error', comment: 'A *Model.ts is the plain-Node-tested half of an adapter (CONTRIBUTING.md, naming).', from: { path: 'Model\\.ts$' }, to: { path: '(^|/)(@types/)?vscode(/|$)' } },
    {
      name: 'sdk-node-stands-alone',
      severity: 'error',
      comment: 'The Node SDK ships on its own with no dependencies: nothing of ours outside it, no package either (Node built-ins only). Its tests (sdk/node/test) may use anything.',
      from: { path: '^sdk/node/src/' },
      to: { pathNot: '^sdk/node/src/', dependencyTypesNot: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
