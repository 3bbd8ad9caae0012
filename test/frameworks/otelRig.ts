// An OTel NodeTracerProvider exporting OTLP/protobuf to the collector, registered globally
// as the OpenInference READMEs do (`provider.register()`), for the instrumentations that
// write through the global tracer.

import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

export function registerProvider(collectorPort: number, service: string): NodeTracerProvider {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${collectorPort}/v1/traces` })),
    ],
  });
  provider.register();
  return provider;
}
