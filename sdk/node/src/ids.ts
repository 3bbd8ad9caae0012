// UUID v7 ids: time-ordered (the store and Opik both expect that) and unique across
// processes. `crypto.randomUUID()` draws from a pre-filled entropy cache, which makes it the
// cheapest source of random bits in Node; its v4 layout already has the right variant bits,
// so a v7 id is its random tail behind our own 48-bit millisecond prefix.

import { randomUUID } from 'node:crypto';

let cachedMs = -1;
let cachedPrefix = '';

export function uuidv7(ms: number): string {
  const whole = Math.floor(ms);
  if (whole !== cachedMs) {
    cachedMs = whole;
    const hex = whole.toString(16).padStart(12, '0');
    cachedPrefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
  }
  // randomUUID(): xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; keep everything after the version.
  return cachedPrefix + randomUUID().slice(15);
}

// The collector refuses a whole batch for one bad id (1–128 characters, no control
// characters), so ids that come from user code are checked before they are used.
const VALID_ID = /^[^\u0000-\u001f\u007f]{1,128}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && VALID_ID.test(id);
}
