// BullMQ 6 ships no Redis driver: ioredis, node-redis and others are optional peer
// dependencies, and under ESM BullMQ cannot `require` one itself, so we pass it a client.
// We use ioredis, the driver BullMQ's documentation uses throughout.

export interface IORedisLike {
  quit(): Promise<unknown>;
}

type IORedisConstructor = new (options: Record<string, unknown>) => IORedisLike;

// A variable specifier keeps tsc from requiring ioredis's types while it is not installed.
const specifier = 'ioredis';

export async function loadIORedis(): Promise<IORedisConstructor | null> {
  try {
    const module = (await import(specifier)) as { default?: IORedisConstructor };
    return module.default ?? (module as unknown as IORedisConstructor);
  } catch {
    return null;
  }
}

/** A connection as BullMQ wants it for workers: commands wait for a reconnect instead of failing. */
export async function connectIORedis(port: number): Promise<IORedisLike> {
  const IORedis = await loadIORedis();
  if (!IORedis) throw new Error('ioredis is not installed');
  return new IORedis({ host: '127.0.0.1', port, maxRetriesPerRequest: null });
}
