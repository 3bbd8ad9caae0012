// LangChain's run metadata, as OpenInference's LangChain instrumentation passes it on (the
// JSON `metadata` attribute): `ls_provider` and `ls_model_name` say which provider and model
// a chat model run called, for spans whose other attributes do not.

import type { Convention } from './convention';

export const langchain: Convention = {
  name: 'LangChain',
  keys: {},

  finish(_attrs, fields) {
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
