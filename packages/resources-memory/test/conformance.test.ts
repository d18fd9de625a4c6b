import { afterAll, describe } from 'vitest';
import { describeMemoryConformance } from '../src/testing/index.js';
import { driversUnderTest } from './support/drivers.js';

const drivers = await driversUnderTest('conformance');
afterAll(async () => {
  for (const driver of drivers) await driver.cleanup();
});

for (const driver of drivers) {
  describe.skipIf(!driver.available)(driver.name, () => {
    describeMemoryConformance(driver.name, {
      setup: async () => {
        const memory = driver.create();
        await memory.start();
        return memory;
      },
      capabilities: { vectors: true, database: true },
    });
  });
}
