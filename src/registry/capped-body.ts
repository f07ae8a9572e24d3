import type { Readable } from 'node:stream';
import { RegistryError } from './errors.js';

export interface CappedReadContext {
  registry: string;
  image?: string;
  what: string;
  maxBytes: number;
  /** Content-Length as announced, when there was one. */
  contentLength?: number;
}

/**
 * Reads a response body into memory, refusing anything over `maxBytes`. The announced
 * Content-Length is checked first so an honest oversized answer costs no reading at all;
 * the running count catches dishonest or chunked ones.
 */
export async function readCappedBody(body: Readable, context: CappedReadContext): Promise<Uint8Array> {
  if (context.contentLength !== undefined && context.contentLength > context.maxBytes) {
    body.destroy();
    throw tooLarge(context, context.contentLength);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > context.maxBytes) {
      body.destroy();
      throw tooLarge(context, total);
    }
    chunks.push(buffer);
  }
  if (context.contentLength !== undefined && total !== context.contentLength) {
    throw new RegistryError({
      code: 'BAD_RESPONSE',
      registry: context.registry,
      image: context.image,
      temporary: true,
      what: `${context.what} was truncated: ${total} of ${context.contentLength} bytes received`,
    });
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(context: CappedReadContext, size: number): RegistryError {
  return new RegistryError({
    code: 'TOO_LARGE',
    registry: context.registry,
    image: context.image,
    temporary: false,
    what: `${context.what} is larger than slimguard's limit (${size} bytes > ${context.maxBytes})`,
  });
}
