import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/extension/settings';

describe('settings', () => {
  it('has working defaults when nothing is set', () => {
    const s = readSettings(() => undefined);
    expect(s).toMatchObject({
      port: 7726,
      autoStart: true,
      thumbsName: 'user_feedback',
      maxTraces: undefined,
      maxBytes: undefined,
      terminal: { enabled: true, pythonPath: true, opik: false, otel: 'off' },
      otlpGrpcPort: 4317,
    });
    expect(s.scores.map((d) => d.name)).toEqual(['correctness', 'relevance', 'tone']);
  });

  it('takes valid values and falls back on invalid ones', () => {
    const values: Record<string, unknown> = {
      'spanscope.port': 8000,
      'spanscope.maxStorageMB': 2,
      'spanscope.feedbackScoreName': ' thumbs ',
      'spanscope.terminal.opikEnv': true,
      'spanscope.autoStart': 'yes',
    };
    const s = readSettings((k) => values[k]);
    expect(s).toMatchObject({
      port: 8000,
      maxBytes: 2 * 1024 * 1024,
      thumbsName: 'thumbs',
      autoStart: true,
      terminal: { opik: true },
    });
    expect(readSettings((k) => (k === 'spanscope.port' ? 70000 : undefined)).port).toBe(7726);
    expect(readSettings((k) => (k === 'spanscope.port' ? 0 : undefined)).port).toBe(0);
  });

  it("reads the AI proxy's upstream and cache size, refusing what is not an http(s) URL", () => {
    expect(readSettings(() => undefined).proxy).toEqual({
      upstream: 'https://api.openai.com/v1',
      cacheMaxBytes: 256 * 1024 * 1024,
    });
    const values: Record<string, unknown> = {
      'spanscope.proxy.upstream': ' https://api.groq.com/openai/v1 ',
      'spanscope.proxy.cacheMaxMB': 0,
    };
    expect(readSettings((k) => values[k]).proxy).toEqual({
      upstream: 'https://api.groq.com/openai/v1',
      cacheMaxBytes: 0,
    });
    for (const bad of ['file:///etc/passwd', 'not a url', 42]) {
      expect(readSettings((k) => (k === 'spanscope.proxy.upstream' ? bad : undefined)).proxy.upstream).toBe(
        'https://api.openai.com/v1',
      );
    }
    expect(readSettings((k) => (k === 'spanscope.proxy.cacheMaxMB' ? -5 : undefined)).proxy.cacheMaxBytes).toBe(
      256 * 1024 * 1024,
    );
  });

  it('reads the OTel terminal protocol (the old true is http/protobuf) and the gRPC port (0 is off)', () => {
    const read = (values: Record<string, unknown>) => readSettings((k) => values[k]);
    expect(read({ 'spanscope.terminal.otelEnv': true }).terminal.otel).toBe('http/protobuf');
    expect(read({ 'spanscope.terminal.otelEnv': false }).terminal.otel).toBe('off');
    expect(read({ 'spanscope.terminal.otelEnv': 'grpc' }).terminal.otel).toBe('grpc');
    expect(read({ 'spanscope.terminal.otelEnv': 'smoke-signals' }).terminal.otel).toBe('off');
    expect(read({ 'spanscope.otlpGrpcPort': 0 }).otlpGrpcPort).toBe(0);
    expect(read({ 'spanscope.otlpGrpcPort': 99999 }).otlpGrpcPort).toBe(4317);
  });
});
