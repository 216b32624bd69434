/**
 * Writes a large synthetic Speedscope file: several sampled threads (py-spy style, 10 ms weights, deep stacks)
 * and evented threads (pyinstrument style, fractional seconds), streamed to disk so generation itself stays small.
 */
import { createWriteStream } from 'node:fs';

/** Small deterministic PRNG so every run writes the same file. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface LargeFileSpec {
  path: string;
  targetBytes: number;
  sampledThreads: number;
  eventedThreads: number;
  frames: number;
}

export async function generateLargeFile(spec: LargeFileSpec): Promise<number> {
  const out = createWriteStream(spec.path);
  let written = 0;
  const write = (text: string) =>
    new Promise<void>((resolve) => {
      written += Buffer.byteLength(text);
      if (out.write(text)) {
        resolve();
      } else {
        out.once('drain', resolve);
      }
    });
  const random = prng(42);
  const frames = Array.from({ length: spec.frames }, (_, i) => ({
    name: `module_${i % 97}.function_${i}`,
    file: `/srv/app/module_${i % 97}.py`,
    line: 1 + (i % 500),
  }));
  await write(
    `{"$schema":"https://www.speedscope.app/file-format-schema.json","exporter":"bench","shared":{"frames":${JSON.stringify(frames)}},"profiles":[`
  );
  const threads = spec.sampledThreads + spec.eventedThreads;
  const perThread = spec.targetBytes / threads;
  for (let t = 0; t < threads; t++) {
    const start = written;
    if (t > 0) {
      await write(',');
    }
    if (t < spec.sampledThreads) {
      // A few hundred hot paths sharing a common trunk, with short tails from the path's own neighbourhood of
      // frames: real sampling profiles repeat call paths heavily and reuse the same functions.
      const trunk = Array.from({ length: 12 }, () => Math.floor(random() * spec.frames));
      const hot = Array.from({ length: 400 }, () => {
        const home = Math.floor(random() * spec.frames);
        return trunk.concat(
          Array.from({ length: 8 + Math.floor(random() * 50) }, () => (home + Math.floor(random() * 200)) % spec.frames)
        );
      });
      await write(
        `{"type":"sampled","name":"Thread ${1000 + t} \\"worker-${t}\\"","unit":"seconds","startValue":0,"samples":[`
      );
      let n = 0;
      let chunk = '';
      while (written + chunk.length - start < perThread * 0.8) {
        const base = hot[Math.floor(random() * hot.length)];
        const tail = base[base.length - 1];
        const stack =
          random() < 0.02
            ? []
            : base.concat(
                Array.from({ length: Math.floor(random() * 4) }, () => (tail + Math.floor(random() * 20)) % spec.frames)
              );
        chunk += (n > 0 ? ',' : '') + JSON.stringify(stack);
        n++;
        if (chunk.length > 1 << 20) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk + '],"weights":[');
      chunk = '';
      for (let i = 0; i < n; i++) {
        chunk += (i > 0 ? ',' : '') + '0.01';
        if (chunk.length > 1 << 20) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(`${chunk}],"endValue":${(n * 0.01).toFixed(2)}}`);
    } else {
      await write(`{"type":"evented","name":"CPU profile ${t}","unit":"seconds","startValue":0.5,"events":[`);
      let at = 0.5;
      let chunk = '';
      let first = true;
      const stack: number[] = [];
      while (written + chunk.length - start < perThread) {
        const open = stack.length === 0 || (stack.length < 60 && random() < 0.55);
        at += random() * 0.0003;
        let event: string;
        if (open) {
          const frame = ((stack[stack.length - 1] ?? 0) + 1 + Math.floor(random() * 30)) % spec.frames;
          stack.push(frame);
          event = `{"type":"O","frame":${frame},"at":${at}}`;
        } else {
          event = `{"type":"C","frame":${stack.pop()},"at":${at}}`;
        }
        chunk += (first ? '' : ',') + event;
        first = false;
        if (chunk.length > 1 << 20) {
          await write(chunk);
          chunk = '';
        }
      }
      while (stack.length > 0) {
        at += 0.0001;
        chunk += `,{"type":"C","frame":${stack.pop()},"at":${at}}`;
      }
      await write(`${chunk}],"endValue":${at}}`);
    }
  }
  await write(']}');
  await new Promise<void>((resolve) => out.end(resolve));
  return written;
}
