import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'

import { App } from './App'
import './styles.css'

function render() {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}

// OpenTelemetry (src/telemetry.ts) only where the dev server has an OTLP endpoint: it is
// set up before the first render, so the page's first fetch is traced too; a production
// build leaves it out entirely.
if (import.meta.env.VITE_OTEL_ENABLED === 'true') {
  import('./telemetry').then((telemetry) => telemetry.setupTelemetry()).finally(render)
} else {
  render()
}
