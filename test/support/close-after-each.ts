import { afterEach } from 'vitest';

interface Closable {
  close(): Promise<void>;
}

/**
 * Registers an afterEach that closes everything a test handed to the returned `opened`, last
 * opened first, whether the test passed or not; `opened` gives back what it was handed.
 */
export function closeAfterEach(): <T extends Closable>(thing: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const thing of open.splice(0).reverse()) await thing.close();
  });
  return (thing) => {
    open.push(thing);
    return thing;
  };
}
