import { entityVitestConfig } from '@entity/vitest-config';

// Child-process tests run dist/, so it is rebuilt first when stale.
export default entityVitestConfig({ globalSetup: ['./test/support/build-once.ts'] });
