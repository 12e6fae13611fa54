// Polls a condition until it holds, for tests that watch files, sockets or processes.
export function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        if (await condition()) return resolve();
      } catch (error) {
        return reject(error);
      }
      if (Date.now() > deadline) reject(new Error(`${what} not met within ${timeoutMs} ms`));
      else setTimeout(() => void tick(), 10);
    };
    void tick();
  });
}
