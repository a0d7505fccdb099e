/** Exit status of a run stopped by a signal, as shells report it (128 + signal number). */
export const SIGNAL_EXIT: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = Object.freeze({ SIGINT: 130, SIGTERM: 143 });

export interface Interrupt {
  /** Aborts on the first SIGINT or SIGTERM: the run stops at its next step and closes the engine. */
  readonly signal: AbortSignal;
  /** The signal received first, if any. */
  readonly received: 'SIGINT' | 'SIGTERM' | undefined;
  /** Restores the default signal behaviour. */
  dispose(): void;
}

/**
 * Turns the first Ctrl-C (or SIGTERM) into an abort the run handles cleanly; a second one ends
 * the process at once. Ending mid-chunk is safe too: the engine resumes from the last committed
 * checkpoint, like after a crash.
 */
export function catchInterrupts(onFirst: (signal: 'SIGINT' | 'SIGTERM') => void): Interrupt {
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const handle = (signal: 'SIGINT' | 'SIGTERM') => {
    if (received) {
      process.stderr.write(`\nlabelwise: ${signal} again: exiting now (the job resumes from its last checkpoint)\n`);
      // Re-raised with the default action, not process.exit(): exit() runs native destructors
      // while ONNX Runtime threads are mid-inference, which aborts (SIGABRT, a core dump).
      dispose();
      process.kill(process.pid, signal);
      return;
    }
    received = signal;
    onFirst(signal);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  const onInt = () => handle('SIGINT');
  const onTerm = () => handle('SIGTERM');
  const dispose = () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose,
  };
}
