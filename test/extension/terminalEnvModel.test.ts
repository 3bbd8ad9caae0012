import { describe, expect, it } from 'vitest';
import { type TerminalEnvOptions, describePlan, terminalEnvironment } from '../../src/extension/terminalEnvModel';

const base: TerminalEnvOptions = {
  enabled: true,
  url: 'http://127.0.0.1:7727',
  opik: false,
  otel: 'off',
  delimiter: ':',
};

describe('the terminal environment', () => {
  it('points SPANSCOPE_URL at the collector and puts the bundled SDK first on PYTHONPATH', () => {
    expect(terminalEnvironment({ ...base, pythonSdkDir: '/ext/sdk/python' })).toEqual({
      replace: { SPANSCOPE_URL: 'http://127.0.0.1:7727' },
      prepend: { PYTHONPATH: '/ext/sdk/python:' },
    });
  });

  it('adds the Opik and OpenTelemetry variables only when asked', () => {
    const plan = terminalEnvironment({ ...base, opik: true, otel: 'http/protobuf', delimiter: ';' });
    expect(plan.replace).toEqual({
      SPANSCOPE_URL: 'http://127.0.0.1:7727',
      OPIK_URL_OVERRIDE: 'http://127.0.0.1:7727/api',
      OPIK_WORKSPACE: 'default',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:7727',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
    expect(plan.prepend).toEqual({});
    expect(plan.replace).not.toHaveProperty('OPIK_API_KEY');
  });

  it('sends the openai clients through the AI proxy only when asked', () => {
    expect(terminalEnvironment(base).replace).not.toHaveProperty('OPENAI_BASE_URL');
    expect(terminalEnvironment({ ...base, openai: true }).replace.OPENAI_BASE_URL).toBe(
      'http://127.0.0.1:7727/v1/proxy',
    );
  });

  it('points the Braintrust SDKs at the collector when asked, keeping a key the user has', () => {
    expect(terminalEnvironment(base).replace).not.toHaveProperty('BRAINTRUST_APP_URL');
    expect(terminalEnvironment({ ...base, braintrust: true }).replace).toMatchObject({
      BRAINTRUST_APP_URL: 'http://127.0.0.1:7727',
      BRAINTRUST_API_KEY: 'spanscope-local',
    });
    const withKey = terminalEnvironment({ ...base, braintrust: true, hasBraintrustKey: true }).replace;
    expect(withKey.BRAINTRUST_APP_URL).toBe('http://127.0.0.1:7727');
    expect(withKey).not.toHaveProperty('BRAINTRUST_API_KEY');
  });

  it('sets the endpoint and protocol for the exporter picked: JSON over HTTP, or gRPC to the gRPC port', () => {
    expect(terminalEnvironment({ ...base, otel: 'http/json' }).replace).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:7727',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(terminalEnvironment({ ...base, otel: 'grpc', grpcPort: 4318 }).replace).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    // gRPC off: nothing rather than gRPC sent to the HTTP port.
    expect(terminalEnvironment({ ...base, otel: 'grpc' }).replace).not.toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it('sets nothing while the collector is not listening, or when turned off', () => {
    expect(terminalEnvironment({ ...base, url: undefined, pythonSdkDir: '/x' })).toEqual({ replace: {}, prepend: {} });
    expect(terminalEnvironment({ ...base, enabled: false, opik: true })).toEqual({ replace: {}, prepend: {} });
  });

  it('drops a trailing slash from the URL', () => {
    expect(terminalEnvironment({ ...base, url: 'http://127.0.0.1:7726/', opik: true }).replace.OPIK_URL_OVERRIDE).toBe(
      'http://127.0.0.1:7726/api',
    );
  });

  it('says which variables it set', () => {
    expect(describePlan(terminalEnvironment({ ...base, pythonSdkDir: '/x' }))).toBe(
      'Spanscope: SPANSCOPE_URL, PYTHONPATH point scripts at the local collector',
    );
  });
});
