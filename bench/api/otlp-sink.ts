// Where the production configuration exports its traces: an OTLP/HTTP endpoint that takes every batch and
// answers 200, as a collector would, so the services pay the whole cost of exporting. Counts what it got.
import { createServer } from 'node:http';

export async function startOtlpSink(): Promise<{ url: string; batches(): number; close(): Promise<void> }> {
  let batches = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      batches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    batches: () => batches,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
