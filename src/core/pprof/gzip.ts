import { gzipSync } from 'fflate';

/**
 * zlib level for Node. Pyroscope's rate limiter counts uncompressed bytes, so a higher level only saves network bytes:
 * on the bench's pprof, level 1 takes three quarters of level 3's CPU time and two fifths of the default 6's, for 2 %
 * and 6 % more bytes. The browser's `CompressionStream` has no level; it uses zlib's default (6).
 */
export const NODE_GZIP_LEVEL = 1;
/** zlib's largest hash table: at level 1, 13 % less CPU than the default (8) for 2 % more bytes on the bench. */
const NODE_GZIP_MEM_LEVEL = 9;

/**
 * zlib hands its output back to the JS thread one chunk at a time (16 KiB by default), and each hand-over costs a
 * callback there: a chunk as large as half the input (gzip of pprof is about a third) makes it one or two.
 */
const nodeChunkBytes = (inputBytes: number) => Math.max(16 * 1024, Math.ceil(inputBytes / 2));

type ZlibModule = typeof import('node:zlib');

/** Node's zlib without a static import, so bundles for the browser never reference it. */
function nodeZlib(): ZlibModule | undefined {
  const proc = (
    globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }
  ).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== 'function') {
    return undefined;
  }
  return proc.getBuiltinModule('node:zlib') as ZlibModule | undefined;
}

let zlib: ZlibModule | undefined | null = null;

/**
 * Gzips with the platform's native compressor: `node:zlib` in Node (on libuv's thread pool, off the JS thread),
 * `CompressionStream` in browsers and workers, fflate only where neither exists. Each is deterministic for the same
 * input (zlib writes mtime 0 and no file name; Debian's Chromium 156 writes the header 1f 8b 08 00 00000000 00 03
 * and the same bytes on every run), so a re-push of the same plan sends the same bytes within one environment;
 * different environments may choose different but equally valid encodings.
 */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (zlib === null) {
    zlib = nodeZlib();
  }
  const node = zlib;
  if (node) {
    return new Promise((resolve, reject) =>
      node.gzip(
        bytes,
        { level: NODE_GZIP_LEVEL, memLevel: NODE_GZIP_MEM_LEVEL, chunkSize: nodeChunkBytes(bytes.length) },
        (error, result) =>
          error ? reject(error) : resolve(new Uint8Array(result.buffer, result.byteOffset, result.byteLength))
      )
    );
  }
  if (typeof CompressionStream === 'function') {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return gzipSync(bytes, { level: NODE_GZIP_LEVEL, mtime: 0 });
}
