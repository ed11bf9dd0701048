// Thin shell: tracing first (so http, fetch and pg get instrumented), then the service with signal handling.
import { startTracing } from '@shiftstack/service-kit/tracing';

await startTracing('shifts');
const { runService } = await import('@shiftstack/service-kit');
const { shiftsService } = await import('./service');
await runService(shiftsService, { handleSignals: true });
