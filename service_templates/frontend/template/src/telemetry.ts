// OpenTelemetry in the browser: spans for the page load (document-load) and every
// fetch, exported over OTLP/HTTP to /otlp, which the Vite dev server passes on to
// OTEL_EXPORTER_OTLP_ENDPOINT (devenv's dashboard). Fetches to the backend carry the
// W3C `traceparent` header, so the backend's spans join the browser's trace.
// Without an endpoint (tests, a production build) nothing is set up.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load'
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web'

export function setupTelemetry(): boolean {
  if (import.meta.env.VITE_OTEL_ENABLED !== 'true') return false
  const exporter = new OTLPTraceExporter({ url: new URL('/otlp/v1/traces', window.location.href).href })
  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({
      'service.name': import.meta.env.VITE_OTEL_SERVICE_NAME || 'frontend',
      'telemetry.sdk.language': 'webjs',
    }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  })
  provider.register()
  registerInstrumentations({
    instrumentations: [
      new DocumentLoadInstrumentation(),
      new FetchInstrumentation({ ignoreUrls: [/\/otlp\//, /\/@vite\//, /\/node_modules\//] }),
    ],
  })
  return true
}
