/// <reference types="vite/client" />

interface ImportMetaEnv {
  // Set by vite.config.ts from the OTEL_* variables devenv gives the dev server.
  readonly VITE_OTEL_ENABLED?: string
  readonly VITE_OTEL_SERVICE_NAME?: string
}
