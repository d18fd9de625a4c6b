import type { UserConfig } from 'vitest/config';
export declare function entityVitestConfig(overrides?: NonNullable<UserConfig['test']>): UserConfig;
