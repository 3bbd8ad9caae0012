// What a convention module declares: for each scalar model field, the attribute keys it is
// read from (a table that reads as documentation), and for what is not one key to one field
// (span type, messages, names), small functions. `readConventions.ts` combines them.

import type { CodeLocation, SpanType, Usage } from '../../model/model';
import type { AttributeBag } from './attributeBag';

/** Model fields read straight from one attribute each. */
export interface ScalarKeys {
  model?: string[];
  provider?: string[];
  /** Usage counters, under the model's canonical names (see `USAGE_FIELDS`). */
  prompt_tokens?: string[];
  completion_tokens?: string[];
  total_tokens?: string[];
  /** Prompt tokens read from the provider's cache (part of prompt_tokens). */
  cached_tokens?: string[];
  /** Prompt tokens written to the provider's cache (part of prompt_tokens). */
  cache_write_tokens?: string[];
  /** Completion tokens spent reasoning (part of completion_tokens). */
  reasoning_tokens?: string[];
  /** A cost the instrumentation computed (USD): given, not estimated. */
  cost?: string[];
  time_to_first_token_ms?: string[];
}

export const USAGE_FIELDS = [
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
] as const;

/** What the conventions read from one span's attributes. */
export interface ConventionFields {
  type: SpanType;
  name?: string;
  model?: string;
  provider?: string;
  usage?: Usage;
  total_estimated_cost?: number;
  time_to_first_token_ms?: number;
  input?: unknown;
  output?: unknown;
  code_location?: CodeLocation;
  tags?: string[];
  /** Structured metadata a convention carries as one attribute (OpenInference `metadata`), already parsed. */
  metadata?: Record<string, unknown>;
}

export interface Convention {
  name: string;
  keys: ScalarKeys;
  /** Prefixes under which any other numeric counter is usage, kept by its rest of name. */
  usagePrefixes?: string[];
  /** The span's type, when this convention says what it is. */
  spanType?(attrs: AttributeBag): SpanType | undefined;
  /**
   * A span that stands for calls made under it (Vercel's `ai.generateText` around its
   * `.doGenerate` steps): its usage is its children's, so it is not read as its own and the
   * keys are dropped, or the trace would count each call twice.
   */
  isWrapper?(attrs: AttributeBag): boolean;
  input?(attrs: AttributeBag): unknown;
  output?(attrs: AttributeBag): unknown;
  /** Last: names, provider clean-up, anything that needs the other fields. */
  finish?(attrs: AttributeBag, fields: ConventionFields): void;
  /** Span events whose content a field took: not kept in metadata. */
  mappedEvents?: string[];
}
