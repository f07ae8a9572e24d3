import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsServer, type MetricsServer } from '../../src/http/index.js';

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(handler: Parameters<typeof createMetricsServer>[0]['handler']) {
  const server = createMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, handler });
  await server.start();
  servers.push(server);
  return server.address().port;
}

function get(port: number, path: string, method = 'GET') {
  return new Promise<{ status: number; contentType: string | undefined; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], text: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createMetricsServer', () => {
  it('serves a prom-client style source on GET /metrics over plain HTTP', async () => {
    const contentType = 'text/plain; version=0.0.4; charset=utf-8';
    const port = await start({ contentType, metrics: async () => '# HELP slimguard_up up\nslimguard_up 1\n' });
    const result = await get(port, '/metrics');
    expect(result.status).toBe(200);
    expect(result.contentType).toBe(contentType);
    expect(result.text).toBe('# HELP slimguard_up up\nslimguard_up 1\n');
  });

  it('hands GET /metrics to a request handler', async () => {
    const port = await start((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('custom\n');
    });
    expect((await get(port, '/metrics?x=1')).text).toBe('custom\n');
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const port = await start({ contentType: 'text/plain', metrics: async () => '' });
    expect((await get(port, '/')).status).toBe(404);
    expect((await get(port, '/validate')).status).toBe(404);
    expect((await get(port, '/metrics', 'POST')).status).toBe(405);
  });

  it('answers 500 when collecting fails, and keeps serving', async () => {
    let fail = true;
    const port = await start({
      contentType: 'text/plain',
      metrics: async () => {
        if (fail) throw new Error('collector broke');
        return 'ok 1\n';
      },
    });
    expect((await get(port, '/metrics')).status).toBe(500);
    fail = false;
    expect((await get(port, '/metrics')).status).toBe(200);
  });
});
