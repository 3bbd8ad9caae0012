// LangChain's run metadata, as OpenInference's LangChain instrumentation passes it on (the
// JSON `metadata` attribute): `ls_provider` and `ls_model_name` say which provider and model
// a chat model run called, for spans whose other attributes do not. A tool run's output is
// LangChain's serialised ToolMessage (`{output: {lc: 1, type: "constructor", id: […,
// "ToolMessage"], kwargs: {content}}}`): what the tool returned is its content.

import { parseJsonish } from '../../model/chatMessages';
import { isPlainObject } from '../../model/merge';
import type { Convention } from './convention';

export const langchain: Convention = {
  name: 'LangChain',
  keys: {},

  finish(_attrs, fields) {
    if (fields.type === 'tool') fields.output = toolContent(fields.output);
    const metadata = fields.metadata;
    if (!metadata) return;
    const { ls_provider: provider, ls_model_name: model } = metadata;
    if (typeof provider === 'string' && provider) fields.provider ??= provider;
    if (typeof model === 'string' && model) fields.model ??= model;
    delete metadata.ls_provider;
    delete metadata.ls_model_name;
    if (!Object.keys(metadata).length) fields.metadata = undefined;
  },
};

function toolContent(output: unknown): unknown {
  const message =
    isPlainObject(output) && Object.keys(output).length === 1 && 'output' in output ? output.output : output;
  if (!isPlainObject(message) || message.lc !== 1 || message.type !== 'constructor' || !Array.isArray(message.id))
    return output;
  if (message.id.at(-1) !== 'ToolMessage' || !isPlainObject(message.kwargs)) return output;
  return parseJsonish(message.kwargs.content);
}
