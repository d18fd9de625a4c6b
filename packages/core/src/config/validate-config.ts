import type { CompileOptions, ValidationReport } from './compile-config.js';

// The public entry points of validation. They load the config machinery (the YAML parser, schema
// compilation) on first use, so importing `@entity/core` to build an agent in code stays cheap.

/** Runs the validation phases (structure, graph, and with `runtime: true` connectivity) and returns every problem found. */
export async function validateConfig(source: string | object, options: CompileOptions = {}): Promise<ValidationReport> {
  const { validateConfig: validateLoaded } = await import('./compile-config.js');
  return validateLoaded(source, options);
}

/** `validate(config, { runtime })`: the three validation phases, as the design names them. */
export const validate = validateConfig;
