/**
 * A dotnet-trace thread-time export, hand-written in the shape TraceEvent's `SpeedScopeStackSourceWriter` gives it:
 * the process frame `Process64 <name> (<pid>) Args: …`, `Threads`, one frame per thread, and under each thread
 * `cpuMs` on the CPU (a `CPU_TIME` leaf) then waiting in unmanaged code (an `UNMANAGED_CODE_TIME` leaf) until `endMs`.
 */
export function syntheticDotnetDocument(threads = [{ id: 17, cpuMs: 2, endMs: 10 }]) {
  const threadName = (id: number) => `Thread (${id}) (.NET ThreadPool Worker)`;
  const frames = [
    'Process64 MyApp (4242) Args: --serve',
    'Threads',
    threadName(threads[0].id),
    'MyApp!Worker.Run()',
    'CPU_TIME',
    'System.Private.CoreLib!LowLevelLifoSemaphore.WaitForSignal(int32)',
    'UNMANAGED_CODE_TIME',
    ...threads.slice(1).map((t) => threadName(t.id)),
  ].map((name) => ({ name }));
  const profiles = threads.map(({ id, cpuMs, endMs }, i) => {
    const threadFrame = i === 0 ? 2 : 6 + i;
    const events = [0, 1, threadFrame, 3].map((frame) => ({ type: 'O', frame, at: 0 }));
    events.push({ type: 'O', frame: 4, at: 0 }, { type: 'C', frame: 4, at: cpuMs });
    events.push({ type: 'O', frame: 5, at: cpuMs }, { type: 'O', frame: 6, at: cpuMs });
    events.push({ type: 'C', frame: 6, at: endMs }, { type: 'C', frame: 5, at: endMs });
    for (const frame of [3, threadFrame, 1, 0]) {
      events.push({ type: 'C', frame, at: endMs });
    }
    return { type: 'evented', name: threadName(id), unit: 'milliseconds', startValue: 0, endValue: endMs, events };
  });
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    exporter: 'Microsoft.Diagnostics.Tracing.TraceEvent@3.1.8.0',
    name: 'synthetic-dotnet',
    activeProfileIndex: 0,
    shared: { frames },
    profiles,
  };
}
