// `configure(…)`: settings in code, over the environment. Its own module so that the
// package's public types do not reach into the runtime (and so need no Node typings).

import type { Config } from './config.js';
import { runtime } from './runtime.js';

/** Changes settings; anything not given keeps its value (from the environment at first). */
export function configure(overrides: Partial<Config>): void {
  try {
    const rt = runtime();
    for (const [key, value] of Object.entries(overrides)) {
      if (value !== undefined)
        (rt.config as unknown as Record<string, unknown>)[key] =
          key === 'url' ? String(value).replace(/\/+$/, '') : value;
    }
    rt.apply();
  } catch (err) {
    runtime().internalError(err);
  }
}
