// package.json's `languageModelTools` is what VS Code shows a model; src/agent/toolDefinitions.ts
// is what the tools check arguments against and what `spanscope mcp` lists. They must be the
// same tools, word for word, or a model in VS Code would be told one schema and held to another.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_TOOL_DEFINITIONS } from '../../src/agent/toolDefinitions';
import { MCP_PROVIDER_ID, Settings, vscodeToolName } from '../../src/extension/constants';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
const declared: Record<string, unknown>[] = pkg.contributes.languageModelTools;

describe('package.json languageModelTools', () => {
  it('declares exactly the shared tools, in order, under their VS Code names', () => {
    expect(declared.map((t) => t.name)).toEqual(AGENT_TOOL_DEFINITIONS.map((t) => vscodeToolName(t.name)));
  });

  it('gives each the shared description, display name and input schema, referenceable in chat as #name', () => {
    for (const def of AGENT_TOOL_DEFINITIONS) {
      const tool = declared.find((t) => t.name === vscodeToolName(def.name))!;
      expect(tool.modelDescription, def.name).toBe(def.description);
      expect(tool.userDescription, def.name).toBe(def.userDescription);
      expect(tool.displayName, def.name).toBe(def.displayName);
      expect(tool.inputSchema, def.name).toEqual(def.inputSchema);
      expect(tool.canBeReferencedInPrompt, def.name).toBe(true);
      expect(tool.toolReferenceName, def.name).toBe(vscodeToolName(def.name));
      expect(tool.when, def.name).toBe(`config.${Settings.agentToolsEnabled}`);
    }
  });

  it('declares the MCP server definition provider the extension registers', () => {
    expect(pkg.contributes.mcpServerDefinitionProviders.map((p: { id: string }) => p.id)).toEqual([MCP_PROVIDER_ID]);
  });
});
