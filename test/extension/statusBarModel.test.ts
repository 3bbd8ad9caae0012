import { describe, expect, it } from 'vitest';
import { statusView } from '../../src/extension/statusBarModel';

const listening = {
  phase: 'listening' as const,
  port: 7726,
  url: 'http://127.0.0.1:7726',
  requestedPort: 7726,
  busyPorts: [],
};

describe('the status bar item', () => {
  it('names the OTLP/gRPC port in the tooltip when gRPC listens', () => {
    expect(statusView({ ...listening, grpcPort: 4318 }, undefined).tooltip).toContain('OTLP/gRPC on `127.0.0.1:4318`');
    expect(statusView(listening, undefined).tooltip).not.toContain('gRPC');
  });

  it('shows the port and the trace count while listening', () => {
    const v = statusView(listening, { traces: 12, running: 0 });
    expect(v.text).toBe('$(pulse) Spanscope :7726 · 12 traces');
    expect(v.tooltip).toContain('http://127.0.0.1:7726');
    expect(v).toMatchObject({ severity: 'normal', action: 'open' });
  });

  it('spins while a trace runs', () => {
    const v = statusView(listening, { traces: 1, running: 1 });
    expect(v.text).toBe('$(loading~spin) Spanscope :7726 · 1 trace');
    expect(v.tooltip).toContain('1 running');
  });

  it('says when it moved to another port', () => {
    const v = statusView(
      { ...listening, port: 7727, url: 'http://127.0.0.1:7727', busyPorts: [7726] },
      { traces: 0, running: 0 },
    );
    expect(v.text).toBe('$(pulse) Spanscope :7727 (7726 busy) · 0 traces');
    expect(v.tooltip).toContain('Port 7726 was in use');
  });

  it('shows a clear error with a way out when no port was free', () => {
    const v = statusView(
      { phase: 'error', reason: 'ports-busy', message: 'ports 7726–7735 are all in use', ports: [7726] },
      undefined,
    );
    expect(v).toMatchObject({ text: '$(error) Spanscope: port in use', severity: 'error', action: 'problem' });
    expect(v.tooltip).toContain('choose another port');
  });

  it('offers to start when stopped, and spins while starting', () => {
    expect(statusView({ phase: 'stopped' }, undefined)).toMatchObject({
      text: '$(debug-disconnect) Spanscope',
      action: 'start',
    });
    expect(statusView({ phase: 'starting' }, undefined).text).toBe('$(loading~spin) Spanscope');
  });

  it('warns while the store can not write, whatever else it would say', () => {
    const v = statusView(
      listening,
      { traces: 12, running: 0 },
      {
        status: 'degraded',
        reason: 'ENOSPC: no space left on device, write',
        since: '2026-01-02T03:04:05.000Z',
        unwritten: 24,
      },
    );
    expect(v).toMatchObject({ text: '$(warning) Spanscope: can not save traces', severity: 'warning' });
    expect(v.tooltip).toMatch(/ENOSPC.*no space left on device/);
    expect(v.tooltip).toContain('24 records received are kept in memory');
    expect(v.tooltip).toContain('new traces are refused');
    expect(statusView(listening, { traces: 12, running: 0 }, { status: 'ok' }).text).toBe(
      '$(pulse) Spanscope :7726 · 12 traces',
    );
  });
});
