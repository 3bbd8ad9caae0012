// The caller's credentials, found so they can be kept out of everything Spanscope writes: a
// reply that quotes one is not cached (it would be served to the next caller, whose key
// differs), and no span, cache file or log line holds one. The proxy passes them upstream
// and nowhere else.

import type { IncomingMessage } from 'node:http';
/** Credentials shorter than this (`EMPTY`, `ollama`: the dummy keys local servers take) are too common a text to hunt for. */
const SECRET_MIN_LENGTH = 8;

/** The credentials worth looking for: long enough that finding one means it was quoted. */
export function huntable(secrets: string[]): string[] {
  return secrets.filter((s) => s.length >= SECRET_MIN_LENGTH);
}

/**
 * What a provider may take as a key: the Authorization's credential, the key headers of Azure-
 * and Anthropic-style APIs, and a key in the query (`?key=`, as Google's APIs take it).
 */
export function credentials(req: IncomingMessage, url: URL): string[] {
  const out: string[] = [];
  for (const name of ['key', 'api_key', 'api-key', 'access_token']) {
    const value = url.searchParams.get(name);
    if (value) out.push(value, encodeURIComponent(value));
  }
  const auth = headerValue(req.headers.authorization);
  if (auth) out.push(auth, auth.replace(/^\S+\s+/, ''));
  for (const name of ['api-key', 'x-api-key', 'x-goog-api-key']) {
    const value = headerValue(req.headers[name]);
    if (value) out.push(value);
  }
  return out;
}

/** Whether the bytes hold any of the credentials, as they are or as a JSON string writes them. */
export function quotesAny(chunks: Buffer[], secrets: string[]): boolean {
  const wanted = huntable(secrets);
  if (!wanted.length) return false;
  const bytes = Buffer.concat(chunks);
  return wanted.some((s) => bytes.includes(s) || bytes.includes(JSON.stringify(s).slice(1, -1)));
}

/** A header's one value (Node gives repeated headers as a list: the first is the one used). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
