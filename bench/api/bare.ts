// The HTTP ceiling: a bare Node http server answering each benchmarked path with the very body the service
// gave (read from BARE_BODIES, a JSON file of path -> body). No framework, no database: what loopback HTTP
// itself costs on this machine. Run by bench/api/run.ts as its own process.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const bodies = new Map(
  Object.entries(JSON.parse(readFileSync(process.env.BARE_BODIES!, 'utf8')) as Record<string, string>).map(
    ([path, body]) => [path, Buffer.from(body)],
  ),
);

const server = createServer((req, res) => {
  const body = bodies.get((req.url ?? '').split('?')[0]!);
  if (!body) return res.writeHead(req.url === '/ready' ? 200 : 404).end();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 72_000; // as the services keep connections
server.listen(Number(process.env.PORT), '127.0.0.1');
