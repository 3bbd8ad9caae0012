import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Gatekeeper, hostName } from '../../src/collector/security';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const allowed = (gate: Gatekeeper, host: string) => {
  try {
    gate.checkHostAndOrigin(request({ host }));
    return true;
  } catch {
    return false;
  }
};

describe('Host checks', () => {
  it('reads the host name out of a Host header', () => {
    expect(hostName('127.0.0.1:7726')).toBe('127.0.0.1');
    expect(hostName('[::1]:7726')).toBe('[::1]');
    expect(hostName('LocalHost')).toBe('localhost');
  });

  it('on loopback, accepts loopback names only', () => {
    const gate = new Gatekeeper('t', '127.0.0.1', 7726);
    expect(['127.0.0.1:7726', 'localhost', '[::1]:7726'].every((h) => allowed(gate, h))).toBe(true);
    expect(['192.168.1.5:7726', 'evil.example', '127.0.0.1.evil.example', ''].some((h) => allowed(gate, h))).toBe(
      false,
    );
  });

  it('bound to all interfaces, also accepts IP literals but never another name', () => {
    const gate = new Gatekeeper('t', '0.0.0.0', 7726);
    expect(allowed(gate, '192.168.1.5:7726')).toBe(true);
    expect(allowed(gate, '[fe80::1]:7726')).toBe(true);
    expect(allowed(gate, 'evil.example:7726')).toBe(false);
  });

  it('bound to one address, accepts that address too', () => {
    const gate = new Gatekeeper('t', '10.0.0.2', 7726);
    expect(allowed(gate, '10.0.0.2:7726')).toBe(true);
    expect(allowed(gate, '10.0.0.3:7726')).toBe(false);
  });
});
