// The small part of JSON Schema the agent tools declare their arguments in, and a checker for
// it. The schemas are plain data because three readers take them as they are: VS Code (from
// package.json's `languageModelTools`), MCP clients (`tools/list`), and the tools themselves
// (this checker, before a handler runs), so an agent that sends a wrong argument gets a tool
// error naming it rather than a handler guessing.

export type JsonSchema =
  | { type: 'string'; description: string; minLength?: number; maxLength?: number; enum?: readonly string[] }
  | { type: 'integer'; description: string; minimum: number; maximum: number; default?: number }
  | { type: 'boolean'; description: string; default?: boolean }
  | {
      type: 'array';
      description: string;
      items: { type: 'string'; enum?: readonly string[] };
      minItems?: number;
      maxItems?: number;
    };

export interface ObjectSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties: false;
}

/** What is wrong with `args` for `schema`, one line per problem; empty when nothing is. */
export function checkArguments(schema: ObjectSchema, args: unknown): string[] {
  if (args === undefined || args === null) args = {};
  if (typeof args !== 'object' || Array.isArray(args)) return ['the arguments must be a JSON object'];
  const given = args as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of schema.required ?? []) if (given[name] === undefined) problems.push(`${name} is required`);
  for (const [name, value] of Object.entries(given)) {
    const prop = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    if (!prop) {
      problems.push(`unknown argument "${name}" (known: ${Object.keys(schema.properties).join(', ')})`);
      continue;
    }
    if (value === undefined || value === null) continue; // the same as leaving it out
    const problem = checkValue(prop, value);
    if (problem) problems.push(`${name} ${problem}`);
  }
  return problems;
}

function checkValue(schema: JsonSchema, value: unknown): string | undefined {
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return 'must be a string';
      if (schema.minLength !== undefined && value.length < schema.minLength)
        return `must be at least ${schema.minLength} character(s)`;
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        return `must be at most ${schema.maxLength} characters`;
      if (schema.enum && !schema.enum.includes(value)) return `must be one of ${schema.enum.join(', ')}`;
      return undefined;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
      if (value < schema.minimum || value > schema.maximum)
        return `must be from ${schema.minimum} to ${schema.maximum}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'array': {
      if (!Array.isArray(value)) return 'must be a list';
      if (schema.minItems !== undefined && value.length < schema.minItems)
        return `must hold at least ${schema.minItems} item(s)`;
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        return `must hold at most ${schema.maxItems} items`;
      for (const item of value) {
        if (typeof item !== 'string') return 'must be a list of strings';
        if (schema.items.enum && !schema.items.enum.includes(item))
          return `may only hold ${schema.items.enum.join(', ')}`;
      }
      return undefined;
    }
  }
}
