// Thin shell: tracing first (so http and pg get instrumented), then the service with signal handling.
import { startTracing } from '@shiftstack/service-kit/tracing';

await startTracing('users');
const { runService } = await import('@shiftstack/service-kit');
const { usersService } = await import('./service');
await runService(usersService, { handleSignals: true });
