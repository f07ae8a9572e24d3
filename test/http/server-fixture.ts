import { pino, type Logger } from 'pino';
import { createWebhookServer, type WebhookServer, type WebhookServerOptions } from '../../src/http/index.js';

/** A pino logger whose JSON lines are kept in memory, to check what is (and is not) logged. */
export function captureLogger(): { logger: Logger; lines: string[]; records: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export type FixtureOptions = Partial<WebhookServerOptions> & Pick<WebhookServerOptions, 'tls' | 'handleReview'>;

/** Starts servers on 127.0.0.1:0 and stops every one of them in cleanup(). */
export function serverFixture() {
  const started: WebhookServer[] = [];
  return {
    async start(options: FixtureOptions): Promise<{ server: WebhookServer; port: number }> {
      const server = createWebhookServer({ listen: { host: '127.0.0.1', port: 0 }, ...options });
      await server.start();
      started.push(server);
      return { server, port: server.address().port };
    },
    async cleanup() {
      await Promise.all(started.splice(0).map((server) => server.shutdown({ graceMs: 0 })));
    },
  };
}
