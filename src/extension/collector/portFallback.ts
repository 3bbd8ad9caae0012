// Two VS Code windows each run a collector, and only one can have 7726. Rather than fail, the
// second window walks up to the next free port and says so; the terminal environment it sets
// points its own scripts at whichever port it got.

export class PortsBusyError extends Error {
  readonly code = 'EPORTSBUSY';
  constructor(readonly ports: number[]) {
    super(
      ports.length === 1 ? `port ${ports[0]} is in use` : `ports ${ports[0]}–${ports[ports.length - 1]} are all in use`,
    );
  }
}

export interface FallbackResult<T> {
  value: T;
  port: number;
  /** Ports found in use before `port`, in the order tried. */
  busy: number[];
}

/**
 * Calls `listen(port)` on `firstPort`, then the ports above it while each is in use
 * (`EADDRINUSE`), at most `attempts` times. Any other failure is not about the port, so it is
 * thrown at once. Port 0 asks the OS for a free port and is tried once.
 */
export async function listenWithFallback<T>(
  firstPort: number,
  attempts: number,
  listen: (port: number) => Promise<T>,
): Promise<FallbackResult<T>> {
  const busy: number[] = [];
  const last = firstPort === 0 ? 0 : Math.min(65535, firstPort + Math.max(1, attempts) - 1);
  for (let port = firstPort; port <= last; port++) {
    try {
      return { value: await listen(port), port, busy };
    } catch (err) {
      if (!isAddressInUse(err)) throw err;
      busy.push(port);
    }
  }
  throw new PortsBusyError(busy);
}

export function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EADDRINUSE';
}

/** A port setting as VS Code hands it over (any JSON): a valid port or the default. */
export function portFromSetting(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : fallback;
}
